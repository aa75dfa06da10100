package org.aio4j.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import org.aio4j.reactor.AioFiles;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Golden-file assertions: a produced file must equal a golden one, and a difference is reported with the first
 * differing offset and a hex window around it in both files. The comparison is {@link AioFiles#mismatch(Path,
 * Path)}.
 *
 * <pre>{@code
 * StepVerifier.create(copyJob(input, produced).then(GoldenFile.matches(produced, golden))).verifyComplete();
 * }</pre>
 */
public final class GoldenFile {
    /** Bytes shown before and after the first difference. */
    static final int WINDOW = 16;

    private GoldenFile() {}

    /**
     * A {@code Mono} that completes empty if {@code produced} equals {@code golden}, and otherwise fails with an
     * {@link AssertionError} naming the first differing offset (or the shorter length) with a hex window of both.
     *
     * @param produced the file under test
     * @param golden the file with the expected bytes
     * @return a {@code Mono} of the comparison, done when subscribed
     */
    public static Mono<Void> matches(Path produced, Path golden) {
        Objects.requireNonNull(produced, "produced");
        Objects.requireNonNull(golden, "golden");
        return AioFiles.mismatch(produced, golden)
                .flatMap(offset -> offset < 0
                        ? Mono.<Void>empty()
                        : Mono.<Void>fromCallable(() -> {
                                    throw new AssertionError(describe(produced, golden, offset));
                                })
                                .subscribeOn(Schedulers.boundedElastic()));
    }

    /**
     * Blocks until {@link #matches} is decided.
     *
     * @param produced the file under test
     * @param golden the file with the expected bytes
     * @throws AssertionError if the files differ
     */
    public static void assertMatches(Path produced, Path golden) {
        matches(produced, golden).block();
    }

    /** The message for files that differ first at {@code offset}. */
    static String describe(Path produced, Path golden, long offset) {
        long from = Math.max(0, offset - WINDOW);
        byte[] a = window(produced, from), b = window(golden, from);
        return message(produced.toString(), golden.toString(), offset, from, a, b);
    }

    static String message(String produced, String golden, long offset, long from, byte[] a, byte[] b) {
        return produced + " differs from golden file " + golden + " first at offset " + offset + " (0x"
                + Long.toHexString(offset) + ")"
                + (offset - from >= a.length ? ": " + produced + " ends there" : "")
                + (offset - from >= b.length ? ": the golden file ends there" : "")
                + "\n  produced " + hex(from, a, offset) + "\n  golden   " + hex(from, b, offset);
    }

    private static byte[] window(Path p, long from) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(2 * WINDOW + 1);
            while (buf.hasRemaining() && ch.read(buf, from + buf.position()) > 0) {}
            byte[] r = new byte[buf.position()];
            buf.flip().get(r);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code @0x10: 00 01 [02] 03}: the bytes from offset {@code from}, the one at {@code mark} in brackets. */
    static String hex(long from, byte[] bytes, long mark) {
        StringBuilder s =
                new StringBuilder("@0x").append(Long.toHexString(from)).append(':');
        for (int i = 0; i < bytes.length; i++) {
            boolean m = from + i == mark;
            s.append(m ? " [" : " ")
                    .append(String.format("%02x", bytes[i] & 0xff))
                    .append(m ? "]" : "");
        }
        if (from + bytes.length <= mark) s.append(" [EOF]");
        return s.toString();
    }
}
