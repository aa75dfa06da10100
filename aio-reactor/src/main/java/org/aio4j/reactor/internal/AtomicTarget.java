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
import java.util.UUID;
import org.aio4j.AioException;
import org.aio4j.internal.Errno;

/**
 * The target of an atomic copy (the {@code atomic} copy option): {@link WriteMono} writes {@link #temp()}, a new
 * file in the target's folder ({@code .NAME.RANDOM.part}, opened {@code CREATE_NEW}), and when every byte is written
 * and the file closed it {@link #commit()}s it over {@link #target()}; on error and on cancel it {@link #remove()}s
 * it. Both happen in the write's last step, after every write (and any kernel copy step) it started has ended and
 * after the open returned: nothing a cancelled copy still had in flight reaches the target or a later copy's target,
 * and the temporary file is removed exactly once, never before it exists. All methods block (blocking scheduler).
 */
public final class AtomicTarget {
    private final Path target;
    private final Path temp;
    private final boolean replace;
    private final boolean fsync;

    /**
     * The atomic target {@code target}: {@code replace} as the copy's {@code replaceExisting}; with {@code fsync} the
     * folder is fsynced after the rename (the write fsyncs the file).
     */
    public AtomicTarget(Path target, boolean replace, boolean fsync) {
        this.target = target;
        this.replace = replace;
        this.fsync = fsync;
        String name = "." + target.getFileName() + "." + UUID.randomUUID() + ".part";
        // the 43 added characters must not push a name the file system accepts past its limit (255 bytes)
        if (name.getBytes(StandardCharsets.UTF_8).length > 255) name = "." + UUID.randomUUID() + ".part";
        this.temp = target.resolveSibling(name);
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
    void commit() throws IOException {
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

    /** Removes the temporary file (best effort: its name is unique and hidden). */
    void remove() {
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
