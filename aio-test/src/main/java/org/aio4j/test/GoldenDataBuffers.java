package org.aio4j.test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Golden-file assertion for a stream of Spring {@link DataBuffer}s (a response body, {@code
 * AioDataBufferUtils.read}): the bytes must equal a golden file; a difference is reported as {@link GoldenFile}
 * does, with the first differing offset and a hex window. Needs spring-core on the class path. Every buffer is
 * released, also on error and cancel.
 *
 * <pre>{@code
 * StepVerifier.create(GoldenDataBuffers.matches(webClient.get().uri("/f").retrieve().bodyToFlux(DataBuffer.class), golden))
 *         .verifyComplete();
 * }</pre>
 */
public final class GoldenDataBuffers {
    private GoldenDataBuffers() {}

    /**
     * A {@code Mono} that completes empty if the bytes of {@code produced} equal the file {@code golden}, and
     * otherwise fails with an {@link AssertionError} naming the first differing offset, with a hex window of both.
     *
     * @param produced the buffers under test, each released once read
     * @param golden the file with the expected bytes
     * @return a {@code Mono} of the comparison, done when subscribed
     */
    public static Mono<Void> matches(Publisher<? extends DataBuffer> produced, Path golden) {
        Objects.requireNonNull(produced, "produced");
        Objects.requireNonNull(golden, "golden");
        return Mono.usingWhen(
                Mono.fromCallable(() -> new Comparison(golden)).subscribeOn(Schedulers.boundedElastic()),
                c -> Flux.from(produced)
                        .map(GoldenDataBuffers::drain)
                        .doOnDiscard(DataBuffer.class, DataBufferUtils::release)
                        .concatMap(bytes ->
                                Mono.fromCallable(() -> c.next(bytes)).subscribeOn(Schedulers.boundedElastic()))
                        .then(Mono.fromCallable(c::end).subscribeOn(Schedulers.boundedElastic()))
                        .then(),
                c -> Mono.fromRunnable(c::close).subscribeOn(Schedulers.boundedElastic()));
    }

    private static byte[] drain(DataBuffer buffer) {
        try {
            byte[] b = new byte[buffer.readableByteCount()];
            buffer.read(b);
            return b;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    /** The golden file, the bytes compared so far and the last few of them (for the window). */
    private static final class Comparison {
        final Path golden;
        final FileChannel channel;
        long position;
        byte[] tail = new byte[0];

        Comparison(Path golden) throws IOException {
            this.golden = golden;
            this.channel = FileChannel.open(golden, StandardOpenOption.READ);
        }

        boolean next(byte[] actual) throws IOException {
            byte[] expected = read(position, actual.length);
            int d = Arrays.mismatch(actual, expected);
            if (d >= 0) fail(position + d, actual);
            position += actual.length;
            int keep = Math.min(GoldenFile.WINDOW, tail.length + actual.length);
            byte[] t = new byte[keep];
            int fromActual = Math.min(keep, actual.length);
            System.arraycopy(tail, tail.length - (keep - fromActual), t, 0, keep - fromActual);
            System.arraycopy(actual, actual.length - fromActual, t, keep - fromActual, fromActual);
            tail = t;
            return true;
        }

        Boolean end() throws IOException {
            if (channel.size() > position) fail(position, new byte[0]);
            return Boolean.TRUE;
        }

        /** Differs at {@code offset}, inside {@code actual} (the buffer that starts at {@link #position}). */
        private void fail(long offset, byte[] actual) throws IOException {
            int before = (int) Math.min(GoldenFile.WINDOW, offset - position + tail.length);
            long from = offset - before;
            byte[] a = new byte
                    [(int) Math.min(before + GoldenFile.WINDOW + 1, before + actual.length - (offset - position))];
            int inTail = (int) Math.max(0, position - from);
            System.arraycopy(tail, tail.length - inTail, a, 0, inTail);
            System.arraycopy(actual, (int) Math.max(0, from - position), a, inTail, a.length - inTail);
            byte[] g = read(from, before + GoldenFile.WINDOW + 1);
            throw new AssertionError(GoldenFile.message("the produced bytes", golden.toString(), offset, from, a, g));
        }

        private byte[] read(long at, int n) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(n);
            while (buf.hasRemaining() && channel.read(buf, at + buf.position()) > 0) {}
            return Arrays.copyOf(buf.array(), buf.position());
        }

        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // read-only: nothing was lost
            }
        }
    }
}
