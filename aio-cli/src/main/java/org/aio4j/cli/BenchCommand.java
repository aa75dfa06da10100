package org.aio4j.cli;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.CopyOptions;
import org.aio4j.reactor.ReadOptions;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aio bench}: the JMH suite's comparisons, scaled down: reading a page-cached file through aio4j against
 * Spring's {@code DataBufferUtils.read}, an {@code AsynchronousFileChannel} loop and a plain {@code FileChannel} loop
 * (the floor), and copying through aio4j against {@code DataBufferUtils.write(DataBufferUtils.read(...))} and
 * {@code Files.copy}. Each case runs several rounds; the table shows the best round. The JMH numbers in docs/ are
 * the reference; these are a quick look on your machine.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Compare aio4j with AsynchronousFileChannel and Spring's DataBufferUtils on a page-cached file.",
            "--quick finishes in well under a minute."
        })
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "Small file, fewer rounds (under a minute).")
    boolean quick;

    @Option(
            names = "--size",
            converter = Sizes.LongSize.class,
            paramLabel = "SIZE",
            description = "File size (default 1g, with --quick 128m).")
    Long size;

    @Option(names = "--rounds", paramLabel = "N", description = "Rounds per case (default 5, with --quick 3).")
    Integer rounds;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            description = "Where the temporary files go (default: java.io.tmpdir).")
    Path dir;

    @Option(names = "--in-flight", defaultValue = "16", paramLabel = "N", description = "aio4j ops in flight.")
    int inFlight;

    @Spec
    CommandSpec spec;

    /** One measured case. */
    record Result(String group, String name, long bytes, double bestSeconds) {
        double mibPerSecond() {
            return bytes / bestSeconds / (1024.0 * 1024.0);
        }
    }

    interface Case {
        long run() throws Exception;
    }

    @picocli.CommandLine.Mixin
    BackendOption backendOption = new BackendOption();

    @Override
    public Integer call() throws Exception {
        backendOption.apply();
        long fileSize = size != null ? size : quick ? 128L << 20 : 1L << 30;
        int n = rounds != null ? rounds : quick ? 3 : 5;
        if (fileSize < 1 << 20) throw new CliException("--size must be at least 1m", AioCli.EXIT_USAGE);
        if (n < 1) throw new CliException("--rounds must be at least 1", AioCli.EXIT_USAGE);
        Path base = dir != null ? dir : Path.of(System.getProperty("java.io.tmpdir"));
        if (!Files.isDirectory(base)) throw new CliException("not a directory: " + base);
        long free = Files.getFileStore(base).getUsableSpace();
        if (free < 2 * fileSize + (64L << 20)) {
            throw new CliException("not enough space in " + base + " for two files of " + Sizes.format(fileSize));
        }
        PrintWriter out = spec.commandLine().getOut();
        Path work = Files.createTempDirectory(base, "aio-bench");
        Path src = work.resolve("source.bin");
        Path dst = work.resolve("target.bin");
        try {
            out.printf("aio bench: %s file in %s, best of %d rounds%n", Sizes.format(fileSize), work, n);
            out.flush();
            createFile(src, fileSize);
            readPlain(src, 1 << 20); // page-cache it
            List<Result> results = new ArrayList<>();
            for (int chunk : new int[] {64 * 1024, 1024 * 1024}) {
                String g = "read " + Sizes.format(chunk) + " chunks";
                results.add(measure(g, "aio4j AioFiles.read", n, () -> readAio(src, chunk)));
                results.add(measure(g, "Spring DataBufferUtils.read", n, () -> readSpring(src, chunk)));
                results.add(measure(g, "AsynchronousFileChannel loop", n, () -> readAsync(src, chunk)));
                results.add(measure(g, "FileChannel loop (floor)", n, () -> readPlain(src, chunk)));
            }
            String g = "copy 1.0 MiB chunks";
            results.add(measure(g, "aio4j AioFiles.copy", n, () -> copyAio(src, dst)));
            results.add(measure(g, "Spring DataBufferUtils write(read)", n, () -> copySpring(src, dst)));
            results.add(measure(g, "Files.copy", n, () -> copyFiles(src, dst)));
            print(out, results);
        } finally {
            Files.deleteIfExists(src);
            Files.deleteIfExists(dst);
            Files.deleteIfExists(work);
        }
        return 0;
    }

    private Result measure(String group, String name, int rounds, Case c) throws Exception {
        c.run(); // warm-up
        double best = Double.MAX_VALUE;
        long bytes = 0;
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            bytes = c.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return new Result(group, name, bytes, best);
    }

    static void print(PrintWriter out, List<Result> results) {
        out.printf("%-22s %-36s %12s %10s%n", "case", "implementation", "MiB/s", "aio4j is");
        String group = null;
        double aio = 0;
        for (Result r : results) {
            if (!r.group().equals(group)) {
                group = r.group();
                aio = r.mibPerSecond();
            }
            String ratio =
                    r.name().startsWith("aio4j") ? "-" : String.format(Locale.ROOT, "%.2fx", aio / r.mibPerSecond());
            out.printf(Locale.ROOT, "%-22s %-36s %12.1f %10s%n", r.group(), r.name(), r.mibPerSecond(), ratio);
        }
        out.println("(\"aio4j is\" = aio4j's throughput divided by that implementation's; > 1 means aio4j is faster)");
        out.flush();
    }

    private static void createFile(Path file, long size) throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            long left = size;
            while (left > 0) {
                buf.clear();
                while (buf.remaining() >= 8) buf.putLong(random.nextLong());
                buf.flip();
                buf.limit((int) Math.min(buf.limit(), left));
                while (buf.hasRemaining()) left -= ch.write(buf);
            }
        }
    }

    private long readAio(Path file, int chunk) {
        AtomicLong n = new AtomicLong();
        AioFiles.read(file, ReadOptions.defaults().chunkSize(chunk).maxInFlight(inFlight))
                .doOnNext(b -> {
                    n.addAndGet(b.remaining());
                    AioFiles.release(b);
                })
                .blockLast();
        return n.get();
    }

    private static long readSpring(Path file, int chunk) {
        AtomicLong n = new AtomicLong();
        DataBufferUtils.read(file, DefaultDataBufferFactory.sharedInstance, chunk)
                .doOnNext(b -> {
                    n.addAndGet(b.readableByteCount());
                    DataBufferUtils.release(b);
                })
                .blockLast();
        return n.get();
    }

    /** One read in flight, the next one started from the completion handler: the usual AsynchronousFileChannel use. */
    private static long readAsync(Path file, int chunk) throws Exception {
        try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(chunk);
            CompletableFuture<Long> done = new CompletableFuture<>();
            ch.read(buf, 0, 0L, new CompletionHandler<Integer, Long>() {
                @Override
                public void completed(Integer r, Long position) {
                    if (r < 0) {
                        done.complete(position);
                        return;
                    }
                    buf.clear();
                    long next = position + r;
                    ch.read(buf, next, next, this);
                }

                @Override
                public void failed(Throwable e, Long position) {
                    done.completeExceptionally(e);
                }
            });
            return done.get();
        }
    }

    private static long readPlain(Path file, int chunk) throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(chunk);
        long total = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            int r;
            while ((r = ch.read(buf)) >= 0) {
                total += r;
                buf.clear();
            }
        }
        return total;
    }

    private long copyAio(Path src, Path dst) {
        Long n = AioFiles.copy(
                        src,
                        dst,
                        CopyOptions.defaults()
                                .chunkSize(1 << 20)
                                .maxInFlight(inFlight)
                                .replaceExisting(true))
                .block();
        return n == null ? 0 : n;
    }

    private static long copySpring(Path src, Path dst) throws Exception {
        DataBufferUtils.write(DataBufferUtils.read(src, DefaultDataBufferFactory.sharedInstance, 1 << 20), dst)
                .block();
        return Files.size(dst);
    }

    private static long copyFiles(Path src, Path dst) throws Exception {
        Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
        return Files.size(dst);
    }
}
