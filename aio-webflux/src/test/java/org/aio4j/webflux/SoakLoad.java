package org.aio4j.webflux;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.aio4j.AioCancelledException;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.AioFsyncMode;
import org.aio4j.AioOpenOption;
import org.aio4j.engine.AioEngine;
import org.aio4j.engine.AioHandler;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.CopyOptions;
import org.aio4j.reactor.ReadOptions;
import org.aio4j.reactor.WriteOptions;
import org.aio4j.webflux.SoakLedger.Outcome;
import org.aio4j.webflux.SoakLedger.Ticket;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SignalType;

/**
 * The soak's load generators, each a loop on its own thread until {@link #stop}: {@link EngineWorker} (engine
 * reads, writes, fsyncs, cancels, opens and closes), {@link FluxWorker} ({@code AioFiles} reads, copies and writes
 * with random cancels) and {@link HttpWorker} (downloads, ranges, uploads and copies against the file server, with
 * client aborts). Every operation goes through the {@link SoakLedger}; each waits for its terminal signal at most
 * {@link #SIGNAL_TIMEOUT}, after which it is reported lost and the loop goes on.
 */
final class SoakLoad {
    static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(60);
    static final String ABORT = "soak: upload aborted by the client";

    private SoakLoad() {}

    static volatile boolean stop;

    /** The content of every data file: byte {@code p} of the file. */
    static byte pattern(long p) {
        return (byte) ((p >>> 12) * 131 + (p & 0xFFF) * 7 + 3);
    }

    static void writeDataFile(Path file, int size) throws IOException {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) b[i] = pattern(i);
        Files.write(file, b);
    }

    /** Waits for a latch; false (and the lost op reported) if it did not open in time. */
    static boolean await(CountDownLatch latch, SoakLedger ledger, String what) {
        try {
            if (latch.await(SIGNAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ledger.error(what + ": " + latch.getCount() + " terminal signal(s) missing after " + SIGNAL_TIMEOUT);
        return false;
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof java.util.concurrent.ExecutionException)
                && e.getCause() != null) e = e.getCause();
        return e;
    }

    // ------------------------------------------------------------------------------------------- engine

    /**
     * Rounds of 4 to 32 engine ops on a freshly opened data file (read, contents checked; O_DIRECT in one round of
     * five) and the worker's scratch file (writes, fsyncs): future or handler form at random; in 15% of the rounds
     * some ops are cancelled one by one ({@code future.cancel}, {@code engine.cancel(token)}), in 10% the whole
     * scratch file ({@code cancelAll(file)}). The round waits for every terminal signal, then closes both files.
     */
    static final class EngineWorker implements Runnable {
        static final int BUFFERS = 32, MAX_LEN = 64 * 1024;
        final AioEngine engine;
        final String mode;
        final SoakLedger ledger;
        final Path[] data;
        final long[] sizes;
        final Path scratch;
        final SplittableRandom rnd;
        ByteBuffer[] bufs = newBuffers();

        EngineWorker(AioEngine engine, String mode, SoakLedger ledger, Path[] data, Path scratch, long seed)
                throws IOException {
            this.engine = engine;
            this.mode = mode;
            this.ledger = ledger;
            this.data = data;
            this.sizes = new long[data.length];
            for (int i = 0; i < data.length; i++) sizes[i] = Files.size(data[i]);
            this.scratch = scratch;
            this.rnd = new SplittableRandom(seed);
        }

        static ByteBuffer[] newBuffers() {
            ByteBuffer[] b = new ByteBuffer[BUFFERS];
            for (int i = 0; i < BUFFERS; i++)
                b[i] = ByteBuffer.allocateDirect(MAX_LEN + 4096).alignedSlice(4096);
            return b;
        }

        /** One engine op: the handler form's attachment, and the checks of its result. */
        final class Op implements AioHandler<Op> {
            final Ticket ticket;
            final CountDownLatch latch;
            final ByteBuffer buf;
            final long position;
            final boolean check;

            Op(Ticket ticket, CountDownLatch latch, ByteBuffer buf, long position, boolean check) {
                this.ticket = ticket;
                this.latch = latch;
                this.buf = buf;
                this.position = position;
                this.check = check;
            }

            @Override
            public void completed(long result, Op op) {
                done(result, null);
            }

            @Override
            public void failed(AioException error, Op op) {
                done(-1, error);
            }

            void done(long result, Throwable error) {
                try {
                    if (error != null) {
                        Throwable e = unwrap(error);
                        boolean cancelled = e instanceof AioCancelledException || e instanceof CancellationException;
                        ticket.end(cancelled ? Outcome.CANCELLED : Outcome.ERROR, e);
                    } else if (check && !contentOk(result)) {
                        ticket.end(Outcome.ERROR, "read at " + position + " returned wrong bytes");
                    } else {
                        ticket.ok();
                    }
                } finally {
                    latch.countDown();
                }
            }

            private boolean contentOk(long n) {
                if (n < 0 || n > buf.remaining()) return false;
                if (n == 0) return true;
                long[] at = {0, n / 2, n - 1};
                for (long i : at) {
                    if (buf.get(buf.position() + (int) i) != pattern(position + i)) return false;
                }
                return true;
            }
        }

        @Override
        public void run() {
            while (!stop) {
                try {
                    round();
                } catch (Throwable e) {
                    ledger.error("engine " + mode + " round: " + SoakLedger.describe(e));
                    pause(100);
                }
            }
        }

        void round() throws IOException {
            int d = rnd.nextInt(data.length);
            boolean direct = rnd.nextInt(5) == 0;
            Ticket openT = ledger.begin("engine.open." + mode);
            AioFile in;
            AioFile out;
            try {
                in = direct ? AioFile.open(data[d], AioOpenOption.DIRECT) : AioFile.open(data[d]);
                out = AioFile.open(scratch, StandardOpenOption.READ, StandardOpenOption.WRITE);
                openT.ok();
            } catch (RuntimeException | Error e) {
                openT.end(Outcome.ERROR, e);
                throw e;
            }
            try (in;
                    out) {
                ops(in, sizes[d], out, direct);
            }
        }

        void ops(AioFile in, long inSize, AioFile out, boolean direct) {
            int n = 4 + rnd.nextInt(BUFFERS - 3);
            CountDownLatch latch = new CountDownLatch(n);
            List<CompletableFuture<?>> futures = new ArrayList<>();
            List<Long> tokens = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ByteBuffer b = bufs[i].clear();
                int len = 4096 * (1 + rnd.nextInt(MAX_LEN / 4096));
                b.limit(len);
                int k = rnd.nextInt(100);
                String kind = k < 55 ? "read" : k < 92 ? "write" : "fsync";
                AioFile file = k < 55 ? in : out;
                long pos = k < 55
                        ? 4096L * rnd.nextInt((int) (inSize / 4096))
                        : 4096L * rnd.nextInt(256); // 1 MiB scratch area
                if (kind.equals("write")) for (int j = 0; j < len; j += 512) b.put(j, (byte) j);
                Ticket t = ledger.begin("engine." + kind + "." + mode);
                Op op = new Op(t, latch, b, pos, kind.equals("read"));
                boolean future = rnd.nextBoolean();
                try {
                    if (future) {
                        CompletableFuture<?> f = switch (kind) {
                            case "read" -> engine.read(file, pos, b);
                            case "write" -> engine.write(file, pos, b);
                            default ->
                                engine.fsync(file, rnd.nextBoolean() ? AioFsyncMode.O_DSYNC : AioFsyncMode.O_SYNC);
                        };
                        futures.add(f);
                        f.whenComplete((r, e) -> op.done(r == null ? 0 : ((Number) r).longValue(), e));
                    } else {
                        long tok = switch (kind) {
                            case "read" -> engine.read(file, pos, b, op, op);
                            case "write" -> engine.write(file, pos, b, op, op);
                            default -> engine.fsync(file, AioFsyncMode.O_DSYNC, op, op);
                        };
                        tokens.add(tok);
                    }
                } catch (RuntimeException e) {
                    op.done(-1, e);
                }
            }
            int c = rnd.nextInt(100);
            if (c < 15) {
                for (CompletableFuture<?> f : futures) if (rnd.nextBoolean()) f.cancel(true);
                for (long tok : tokens) if (rnd.nextBoolean()) engine.cancel(tok);
            } else if (c < 25) {
                engine.cancelAll(out);
                if (direct && rnd.nextBoolean()) engine.cancelAll(in);
            }
            if (!await(latch, ledger, "engine round " + mode)) bufs = newBuffers(); // the old ones may still be in use
        }
    }

    // ------------------------------------------------------------------------------------------- reactor

    /**
     * {@code AioFiles.read} of a data file (chunks counted, first bytes checked, released), {@code AioFiles.copy}
     * to the worker's targets (one in ten then compared with {@code AioFiles.mismatch}) and {@code AioFiles.write}
     * of generated buffers, on the worker's engine; 40% of reads and copies and 30% of writes are cancelled at a
     * random point ({@code take(n)} or {@code dispose()} after 0 to 30 ms).
     */
    static final class FluxWorker implements Runnable {
        final AioEngine engine;
        final String mode;
        final SoakLedger ledger;
        final Path[] data;
        final long[] sizes;
        final Path dir;
        final SplittableRandom rnd;
        int n;

        FluxWorker(AioEngine engine, String mode, SoakLedger ledger, Path[] data, Path dir, long seed)
                throws IOException {
            this.engine = engine;
            this.mode = mode;
            this.ledger = ledger;
            this.data = data;
            this.sizes = new long[data.length];
            for (int i = 0; i < data.length; i++) sizes[i] = Files.size(data[i]);
            this.dir = dir;
            this.rnd = new SplittableRandom(seed);
        }

        @Override
        public void run() {
            while (!stop) {
                try {
                    int k = rnd.nextInt(100);
                    if (k < 40) read();
                    else if (k < 80) copy();
                    else write();
                } catch (Throwable e) {
                    ledger.error("flux " + mode + ": " + SoakLedger.describe(e));
                    pause(100);
                }
            }
        }

        void read() {
            int d = rnd.nextInt(data.length);
            int chunk = new int[] {16 * 1024, 64 * 1024, 256 * 1024}[rnd.nextInt(3)];
            ReadOptions o =
                    ReadOptions.defaults().engine(engine).chunkSize(chunk).maxInFlight(1 + rnd.nextInt(4));
            int cancel = rnd.nextInt(100);
            Ticket t = ledger.begin("flux.read." + mode);
            CountDownLatch done = new CountDownLatch(1);
            AtomicLong bytes = new AtomicLong();
            AtomicReference<String> bad = new AtomicReference<>();
            Flux<ByteBuffer> f = AioFiles.read(data[d], o)
                    .doOnNext(c -> {
                        long at = bytes.getAndAdd(c.remaining());
                        if (c.remaining() > 0 && c.get(c.position()) != pattern(at)) bad.set("chunk at " + at);
                        AioFiles.release(c);
                    })
                    .doFinally(s -> {
                        finish(
                                t,
                                s,
                                bad.get() != null
                                        ? bad.get()
                                        : bytes.get() == sizes[d]
                                                ? null
                                                : "read " + bytes.get() + " of " + sizes[d] + " bytes");
                        done.countDown();
                    });
            if (cancel < 20) f = f.take(1 + rnd.nextInt((int) (sizes[d] / chunk) + 1));
            AtomicReference<Throwable> err = new AtomicReference<>();
            Disposable sub = f.subscribe(x -> {}, err::set);
            if (cancel >= 20 && cancel < 40) {
                pause(rnd.nextInt(31));
                sub.dispose();
            }
            await(done, ledger, "flux.read." + mode);
        }

        void copy() {
            int d = rnd.nextInt(data.length);
            Path target = dir.resolve("copy-" + (n++ % 3) + ".bin");
            CopyOptions o = CopyOptions.defaults()
                    .engine(engine)
                    .replaceExisting(true)
                    .fsync(rnd.nextInt(4) == 0)
                    .chunkSize(new int[] {64 * 1024, 256 * 1024, 1024 * 1024}[rnd.nextInt(3)]);
            boolean cancel = rnd.nextInt(100) < 40;
            boolean compare = !cancel && rnd.nextInt(10) == 0;
            Ticket t = ledger.begin("flux.copy." + mode);
            CountDownLatch done = new CountDownLatch(1);
            AtomicLong bytes = new AtomicLong(-1);
            Disposable sub = AioFiles.copy(data[d], target, o)
                    .doOnNext(bytes::set)
                    .doFinally(s -> {
                        finish(t, s, bytes.get() == sizes[d] ? null : "copied " + bytes.get() + " of " + sizes[d]);
                        done.countDown();
                    })
                    .subscribe(x -> {}, e -> {});
            if (cancel) {
                pause(rnd.nextInt(31));
                sub.dispose();
            }
            if (!await(done, ledger, "flux.copy." + mode) || !compare || bytes.get() != sizes[d]) return;
            Ticket m = ledger.begin("flux.mismatch." + mode);
            try {
                Long at = AioFiles.mismatch(
                                data[d], target, ReadOptions.defaults().engine(engine))
                        .block(SIGNAL_TIMEOUT);
                if (at != null && at == -1L) m.ok();
                else m.end(Outcome.ERROR, "copy of " + data[d].getFileName() + " differs at " + at);
            } catch (RuntimeException e) {
                m.end(Outcome.ERROR, e);
            }
        }

        void write() {
            int chunks = 1 + rnd.nextInt(32);
            int size = 64 * 1024;
            Path target = dir.resolve("write-" + (n++ % 2) + ".bin");
            boolean cancel = rnd.nextInt(100) < 30;
            Ticket t = ledger.begin("flux.write." + mode);
            CountDownLatch done = new CountDownLatch(1);
            AtomicLong bytes = new AtomicLong(-1);
            Flux<ByteBuffer> body = Flux.range(0, chunks).map(i -> {
                ByteBuffer b = ByteBuffer.allocate(size);
                for (int j = 0; j < size; j += 4096) b.put(j, pattern((long) i * size + j));
                return b;
            });
            Disposable sub = AioFiles.write(
                            body, target, WriteOptions.defaults().engine(engine).fsync(rnd.nextInt(4) == 0))
                    .doOnNext(bytes::set)
                    .doFinally(s -> {
                        long want = (long) chunks * size;
                        finish(t, s, bytes.get() == want ? null : "wrote " + bytes.get() + " of " + want);
                        done.countDown();
                    })
                    .subscribe(x -> {}, e -> {});
            if (cancel) {
                pause(rnd.nextInt(31));
                sub.dispose();
            }
            await(done, ledger, "flux.write." + mode);
        }

        private void finish(Ticket t, SignalType s, String wrongResult) {
            switch (s) {
                case ON_COMPLETE -> {
                    if (wrongResult == null) t.ok();
                    else t.end(Outcome.ERROR, wrongResult);
                }
                case CANCEL -> t.end(Outcome.CANCELLED, null);
                default -> t.end(Outcome.ERROR, "terminated with " + s);
            }
        }
    }

    // ------------------------------------------------------------------------------------------- HTTP

    /**
     * Exchanges with the file server through {@link java.net.http.HttpClient} (HTTP/1.1): full downloads (length and
     * sampled bytes checked), downloads aborted mid-body (the response stream closed after a random prefix), single
     * ranges, HEAD, uploads of 64 KiB to 2 MiB (201), uploads aborted mid-body (the body publisher fails after a
     * random prefix, so the client drops the connection) and server-side copies ({@code POST /copy}).
     */
    static final class HttpWorker implements Runnable {
        final HttpClient client;
        final String base;
        final SoakLedger ledger;
        final String[] names;
        final long[] sizes;
        final int id;
        final SplittableRandom rnd;
        final byte[] upload = new byte[2 * 1024 * 1024];
        int n;

        HttpWorker(HttpClient client, String base, SoakLedger ledger, Path[] data, int id, long seed)
                throws IOException {
            this.client = client;
            this.base = base;
            this.ledger = ledger;
            this.names = new String[data.length];
            this.sizes = new long[data.length];
            for (int i = 0; i < data.length; i++) {
                names[i] = data[i].getFileName().toString();
                sizes[i] = Files.size(data[i]);
            }
            this.id = id;
            this.rnd = new SplittableRandom(seed);
            rnd.nextBytes(upload);
        }

        HttpRequest.Builder request(String path) {
            return HttpRequest.newBuilder(URI.create(base + path)).timeout(SIGNAL_TIMEOUT);
        }

        @Override
        public void run() {
            while (!stop) {
                int k = rnd.nextInt(100);
                String kind = k < 30
                        ? "http.get"
                        : k < 50
                                ? "http.get-abort"
                                : k < 58
                                        ? "http.get-range"
                                        : k < 62
                                                ? "http.head"
                                                : k < 82 ? "http.put" : k < 95 ? "http.put-abort" : "http.copy";
                Ticket t = ledger.begin(kind);
                try {
                    switch (kind) {
                        case "http.get" -> get(t, false);
                        case "http.get-abort" -> get(t, true);
                        case "http.get-range" -> range(t);
                        case "http.head" -> head(t);
                        case "http.put" -> put(t, false);
                        case "http.put-abort" -> put(t, true);
                        default -> copy(t);
                    }
                } catch (InterruptedException e) {
                    t.end(Outcome.ERROR, e);
                    Thread.currentThread().interrupt();
                    return;
                } catch (Throwable e) {
                    if (!t.isDone()) t.end(Outcome.ERROR, e);
                    else ledger.error(kind + ": " + SoakLedger.describe(e));
                }
            }
        }

        void get(Ticket t, boolean abort) throws IOException, InterruptedException {
            int d = rnd.nextInt(names.length);
            HttpResponse<InputStream> r =
                    client.send(request("/files/" + names[d]).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            long stopAt = abort ? 1 + rnd.nextLong(sizes[d] / 2) : Long.MAX_VALUE;
            long read = 0;
            String bad = r.statusCode() == 200 ? null : "status " + r.statusCode();
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = r.body()) {
                while (read < stopAt) {
                    int m = in.read(buf, 0, (int) Math.min(buf.length, stopAt - read));
                    if (m < 0) break;
                    if (bad == null && buf[0] != pattern(read)) bad = "byte " + read + " differs";
                    read += m;
                }
            } // closing the stream before its end drops the connection
            if (bad != null) t.end(Outcome.ERROR, "GET " + names[d] + ": " + bad);
            else if (abort) t.end(Outcome.ABORTED, null);
            else if (read != sizes[d]) t.end(Outcome.ERROR, "GET " + names[d] + ": " + read + " of " + sizes[d]);
            else t.ok();
        }

        void range(Ticket t) throws IOException, InterruptedException {
            int d = rnd.nextInt(names.length);
            long a = rnd.nextLong(sizes[d]);
            long b = Math.min(sizes[d] - 1, a + rnd.nextLong(256 * 1024));
            HttpResponse<byte[]> r = client.send(
                    request("/files/" + names[d])
                            .header("Range", "bytes=" + a + "-" + b)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            byte[] body = r.body();
            if (r.statusCode() != 206 || body.length != b - a + 1 || body[0] != pattern(a))
                t.end(
                        Outcome.ERROR,
                        "range " + a + "-" + b + ": status " + r.statusCode() + ", " + body.length + " bytes");
            else t.ok();
        }

        void head(Ticket t) throws IOException, InterruptedException {
            int d = rnd.nextInt(names.length);
            HttpResponse<Void> r = client.send(
                    request("/files/" + names[d])
                            .method("HEAD", HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            long len = r.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (r.statusCode() != 200 || len != sizes[d])
                t.end(Outcome.ERROR, "HEAD: status " + r.statusCode() + ", length " + len);
            else t.ok();
        }

        void put(Ticket t, boolean abort) throws IOException, InterruptedException {
            int size = 64 * 1024 * (1 + rnd.nextInt(32));
            String path = "/files/up/w" + id + "-" + (n++ % 4) + ".bin";
            HttpRequest.BodyPublisher body = abort
                    ? HttpRequest.BodyPublishers.fromPublisher(aborting(upload, rnd.nextInt(size)), size)
                    : HttpRequest.BodyPublishers.ofByteArray(upload, 0, size);
            try {
                HttpResponse<String> r =
                        client.send(request(path).PUT(body).build(), HttpResponse.BodyHandlers.ofString());
                if (abort) t.end(Outcome.ERROR, "aborted upload answered " + r.statusCode());
                else if (r.statusCode() != 201) t.end(Outcome.ERROR, "PUT: status " + r.statusCode() + " " + r.body());
                else t.ok();
            } catch (IOException e) {
                if (abort && causedByAbort(e)) t.end(Outcome.ABORTED, null);
                else t.end(Outcome.ERROR, e);
            }
        }

        void copy(Ticket t) throws IOException, InterruptedException {
            int d = rnd.nextInt(names.length);
            HttpResponse<String> r = client.send(
                    request("/copy?from=" + names[d] + "&to=up/c" + id + ".bin")
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201 || !r.body().contains("\"bytes\":" + sizes[d]))
                t.end(Outcome.ERROR, "POST /copy: status " + r.statusCode() + " " + r.body());
            else t.ok();
        }

        static boolean causedByAbort(Throwable e) {
            for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
                if (ABORT.equals(c.getMessage())) return true;
            }
            return false;
        }

        /** A body of {@code body}'s first bytes that fails with {@link #ABORT} after {@code abortAt} bytes. */
        static Flow.Publisher<ByteBuffer> aborting(byte[] body, int abortAt) {
            return s -> s.onSubscribe(new Flow.Subscription() {
                int pos;
                boolean done;

                @Override
                public synchronized void request(long n) {
                    while (n-- > 0 && !done) {
                        if (pos >= abortAt) {
                            done = true;
                            s.onError(new IOException(ABORT));
                            return;
                        }
                        int len = Math.min(16 * 1024, abortAt - pos);
                        ByteBuffer b = ByteBuffer.wrap(body, pos, len);
                        pos += len;
                        s.onNext(b);
                    }
                }

                @Override
                public synchronized void cancel() {
                    done = true;
                }
            });
        }
    }
}
