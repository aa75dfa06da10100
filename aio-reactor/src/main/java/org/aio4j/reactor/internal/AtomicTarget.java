package org.aio4j.reactor.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.aio4j.AioException;
import org.aio4j.internal.Errno;

/**
 * A file written under a temporary name and renamed over its target when complete.
 *
 * <p>The target of an atomic copy (the {@code atomic} copy option): {@link WriteMono} writes {@link #temp()}, a new
 * file in the target's folder ({@code .NAME.RANDOM.part}, opened {@code CREATE_NEW}), and when every byte is written
 * and the file closed it {@link #commit()}s it over {@link #target()}; on error and on cancel it {@link #remove()}s
 * it. Both happen in the write's last step, after every write (and any kernel copy step) it started has ended and
 * after the open returned: nothing a cancelled copy still had in flight reaches the target or a later copy's target,
 * and the temporary file is removed exactly once, never before it exists.
 *
 * <p>The uploads and copies of the WebFlux router ({@code aio-webflux}) use it the other way round: {@link
 * #createTemp()} makes the file before the writer starts (the writer opens it without {@code CREATE}), and {@link
 * #discard()} on error or cancel, from any thread at any moment, tells its caller to remove it only once it exists
 * and at most once (a discard that comes while the file is being created is carried out by {@link #createTemp()}).
 * Public for that module only: this package is not API. All methods but {@link #discard()} block (blocking
 * scheduler).
 */
public final class AtomicTarget {
    private static final int NEW = 0, CREATED = 1, DISCARDED = 2;

    private final Path target;
    private final Path temp;
    private final boolean replace;
    private final boolean fsync;
    private final AtomicInteger state = new AtomicInteger(NEW);

    /**
     * The atomic target {@code target}: {@code replace} as the copy's {@code replaceExisting}; with {@code fsync} the
     * folder is fsynced after the rename (the write fsyncs the file).
     */
    public AtomicTarget(Path target, boolean replace, boolean fsync) {
        // ThreadLocalRandom, not UUID.randomUUID: SecureRandom's first use reads /dev/urandom, a blocking call on
        // whatever thread subscribes (BlockHound caught it on a parallel thread); CREATE_NEW makes a clash an error
        this(
                target,
                tempPath(
                        target,
                        String.format("%016x", ThreadLocalRandom.current().nextLong())),
                replace,
                fsync);
    }

    /** As the other constructor, with the temporary file {@code temp} (see {@link #tempPath}). */
    public AtomicTarget(Path target, Path temp, boolean replace, boolean fsync) {
        this.target = target;
        this.temp = temp;
        this.replace = replace;
        this.fsync = fsync;
    }

    /**
     * The temporary file of {@code target}: {@code .NAME.RANDOM.part} in its folder, or {@code .RANDOM.part} when the
     * added characters would push the name past the 255 bytes a file system accepts.
     */
    public static Path tempPath(Path target, String random) {
        String name = "." + target.getFileName() + "." + random + ".part";
        if (name.getBytes(StandardCharsets.UTF_8).length > 255) name = "." + random + ".part";
        return target.resolveSibling(name);
    }

    /** The path the copy reports and renames to. */
    public Path target() {
        return target;
    }

    /** The path the copy writes. */
    public Path temp() {
        return temp;
    }

    /** Before the temporary file is created: without {@code replace}, an existing target fails the copy (EEXIST). */
    void checkTarget() throws IOException {
        if (!replace && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) throw exists();
    }

    /**
     * The error of opening the temporary file, told about the target (its folder is the one that is missing,
     * read-only or full): same errno and operation.
     */
    Throwable onTarget(Throwable openError) {
        return AioException.find(openError)
                .<Throwable>map(e -> AioException.ofPath(e.operation(), e.errno(), target))
                .orElse(openError);
    }

    /**
     * Renames the written, closed temporary file over the target: replacing it, or without {@code replace} with
     * {@code link} + {@code unlink}, which fails (EEXIST) if the target appeared meanwhile.
     */
    public void commit() throws IOException {
        if (replace) {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } else {
            try {
                Files.createLink(target, temp);
            } catch (FileAlreadyExistsException e) {
                throw exists();
            } catch (UnsupportedOperationException | IOException e) {
                // no hard links on this file system: check, then rename (a race with another creator remains)
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) throw exists();
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.deleteIfExists(temp);
        }
        if (fsync) {
            Path dir = target.toAbsolutePath().getParent();
            try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                ch.force(true);
            } catch (IOException ignored) {
                // not every file system can fsync a folder; the rename itself is atomic anyway
            }
        }
    }

    /**
     * Creates the temporary file ({@code CREATE_NEW}) for a writer that opens it without {@code CREATE}; if {@link
     * #discard()} came meanwhile, removes it again at once.
     *
     * @return {@link #temp()}
     */
    public Path createTemp() throws IOException {
        Files.createFile(temp);
        if (!state.compareAndSet(NEW, CREATED)) remove();
        return temp;
    }

    /**
     * Marks the temporary file of {@link #createTemp()} discarded (an error or a cancel; non-blocking, any thread).
     *
     * @return true exactly once, when the file exists and the caller must remove it now ({@link #remove()}); false
     * when the discard came before the file existed ({@link #createTemp()} removes it) or came before
     */
    public boolean discard() {
        return state.getAndSet(DISCARDED) == CREATED;
    }

    /** Removes the temporary file (best effort: its name is unique and hidden). */
    public void remove() {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // left behind; nothing else to do
        }
    }

    private IOException exists() {
        return AioException.ofPath("open", Errno.EEXIST.value(), target);
    }
}
