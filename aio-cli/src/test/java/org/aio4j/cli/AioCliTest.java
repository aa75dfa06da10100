package org.aio4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aio4j.AioException;
import org.aio4j.engine.AioEngine;
import org.aio4j.engine.EngineBackend;
import org.aio4j.internal.Errno;
import org.aio4j.reactor.AioFiles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class AioCliTest {
    @TempDir
    Path tmp;

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void assertOneLineError(CliRunner r, int code, String text) {
        assertThat(r.exitCode).as(r.toString()).isEqualTo(code);
        assertThat(r.err.strip())
                .as(r.toString())
                .contains(text)
                .doesNotContain("\n")
                .doesNotContain("\tat ");
    }

    // ------------------------------------------------------------------ usage

    @Test
    void unknownOptionIsOneLineAndExit2() {
        CliRunner r = CliRunner.run("copy", "a", "b", "--bogus");
        assertOneLineError(r, AioCli.EXIT_USAGE, "Unknown option: '--bogus'");
        assertThat(r.err).startsWith("aio copy: ");
    }

    @Test
    void missingCommandAndArgumentsAreUsageErrors() {
        assertOneLineError(CliRunner.run(), AioCli.EXIT_USAGE, "missing command");
        assertOneLineError(CliRunner.run("copy", "only-one"), AioCli.EXIT_USAGE, "Missing required parameter");
        assertOneLineError(CliRunner.run("nope"), AioCli.EXIT_USAGE, "Unmatched argument");
    }

    @Test
    void badSizesAreUsageErrors() throws Exception {
        Path src = Files.write(tmp.resolve("s"), new byte[10]);
        assertOneLineError(
                CliRunner.run("copy", src.toString(), tmp.resolve("d").toString(), "--chunk", "lots"),
                AioCli.EXIT_USAGE,
                "--chunk");
        assertOneLineError(
                CliRunner.run("copy", src.toString(), tmp.resolve("d").toString(), "--chunk", "0"),
                AioCli.EXIT_USAGE,
                "--chunk");
        assertOneLineError(
                CliRunner.run("copy", src.toString(), tmp.resolve("d").toString(), "--in-flight", "0"),
                AioCli.EXIT_USAGE,
                "--in-flight");
    }

    @Test
    void helpAndVersion() {
        CliRunner help = CliRunner.run("--help");
        assertThat(help.exitCode).isZero();
        assertThat(help.out).contains("copy", "cat", "stat", "bench", "serve", "130");
        CliRunner version = CliRunner.run("--version");
        assertThat(version.exitCode).isZero();
        assertThat(version.out).contains("aio (aio4j)");
    }

    @Test
    void sizesParse() {
        assertThat(Sizes.parse("1m")).isEqualTo(1 << 20);
        assertThat(Sizes.parse("64K")).isEqualTo(64 << 10);
        assertThat(Sizes.parse("4KiB")).isEqualTo(4096);
        assertThat(Sizes.parse("2g")).isEqualTo(2L << 30);
        assertThat(Sizes.parse("123")).isEqualTo(123);
        assertThat(Sizes.parse("10b")).isEqualTo(10);
    }

    // ------------------------------------------------------------------ copy errors

    @Test
    void copyMissingSource() {
        assertOneLineError(
                CliRunner.run(
                        "copy",
                        tmp.resolve("missing").toString(),
                        tmp.resolve("d").toString()),
                AioCli.EXIT_FAILURE,
                "aio copy: no such file: " + tmp.resolve("missing"));
        assertThat(tmp.resolve("d")).doesNotExist();
    }

    @Test
    void copyTargetIsADirectory() throws Exception {
        Path src = Files.write(tmp.resolve("s"), new byte[10]);
        Path dir = Files.createDirectory(tmp.resolve("dir"));
        assertOneLineError(
                CliRunner.run("copy", src.toString(), dir.toString()),
                AioCli.EXIT_FAILURE,
                "target is a directory: " + dir);
    }

    @Test
    void copySourceIsADirectoryAndMissingTargetDirectory() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("dir"));
        assertOneLineError(
                CliRunner.run("copy", dir.toString(), tmp.resolve("x").toString()),
                AioCli.EXIT_FAILURE,
                "source is a directory");
        Path src = Files.write(tmp.resolve("s"), new byte[10]);
        assertOneLineError(
                CliRunner.run(
                        "copy", src.toString(), tmp.resolve("no/such/dir/x").toString()),
                AioCli.EXIT_FAILURE,
                "no such directory");
        assertOneLineError(CliRunner.run("copy", src.toString(), src.toString()), AioCli.EXIT_FAILURE, "same file");
    }

    @Test
    void debugAddsTheStackTrace() {
        CliRunner r = CliRunner.run(
                "copy", tmp.resolve("missing").toString(), tmp.resolve("d").toString(), "--debug");
        assertThat(r.exitCode).isEqualTo(AioCli.EXIT_FAILURE);
        assertThat(r.err).contains("no such file").contains("\tat org.aio4j.cli.");
    }

    @Test
    void errorMessagesForTheOperatingSystemsErrors() {
        Path p = Path.of("/data/out.bin");
        assertThat(Errors.describe(AioException.of("write", Errno.ENOSPC.value(), p, 4096)))
                .isEqualTo("no space left on device: /data/out.bin");
        assertThat(Errors.describe(AioException.of("open", Errno.EACCES.value(), p, -1)))
                .isEqualTo("permission denied: /data/out.bin");
        assertThat(Errors.describe(new AccessDeniedException("/data/x"))).isEqualTo("permission denied: /data/x");
        assertThat(Errors.describe(new RuntimeException(
                        new java.io.UncheckedIOException(new java.nio.file.NoSuchFileException("/nope")))))
                .isEqualTo("no such file or directory: /nope");
        assertThat(Errors.describe(
                        reactor.core.Exceptions.propagate(AioException.of("write", Errno.ENOSPC.value(), p, 0))))
                .startsWith("no space left on device");
    }

    // ------------------------------------------------------------------ copy

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 65535, 65536, 65537, 3 * 1024 * 1024 + 7})
    void copyVerifyIsByteExact(int size) throws Exception {
        byte[] data = random(size, size);
        Path src = Files.write(tmp.resolve("src.bin"), data);
        Path dst = tmp.resolve("dst.bin");
        int chunksBefore = AioFiles.outstandingChunks();
        CliRunner r = CliRunner.run(
                "copy",
                src.toString(),
                dst.toString(),
                "--chunk",
                "64k",
                "--in-flight",
                "4",
                "--verify",
                "--fsync",
                "--progress",
                "none");
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(Files.readAllBytes(dst)).isEqualTo(data);
        assertThat(r.out)
                .contains("copied")
                .contains("(" + size + " bytes)")
                .contains("verified (crc32c")
                .contains("fsynced");
        assertThat(r.err).isEmpty();
        assertThat(AioFiles.outstandingChunks()).isEqualTo(chunksBefore);
    }

    @Test
    void copyReplacesAnExistingTargetAndPrintsPlainProgress() throws Exception {
        byte[] data = random(2 * 1024 * 1024, 5);
        Path src = Files.write(tmp.resolve("src.bin"), data);
        Path dst = Files.write(tmp.resolve("dst.bin"), random(5 * 1024 * 1024, 6));
        CliRunner r = CliRunner.run(
                "copy",
                src.toString(),
                dst.toString(),
                "--chunk",
                "4k",
                "--in-flight",
                "2",
                "--progress",
                "plain",
                "--progress-interval",
                "0");
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(Files.readAllBytes(dst)).isEqualTo(data);
        // not a terminal here: plain lines, then the summary
        assertThat(r.out).containsPattern("copy: [0-9.]+ [KM]iB / 2\\.0 MiB \\([0-9.]+%\\) .*/s ETA");
        assertThat(r.out.strip().lines().reduce((a, b) -> b).orElse("")).startsWith("copied 2.0 MiB");
    }

    @Test
    void copyReplacesAnExistingDestinationWholeKeepingItsModeAndLeavesNoTemporaryFile() throws Exception {
        byte[] data = random(3 * 1024 * 1024 + 5, 8);
        Path src = Files.write(tmp.resolve("src.bin"), data);
        Path dst = Files.write(tmp.resolve("dst.bin"), random(1000, 9));
        Files.setPosixFilePermissions(dst, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        for (String mode : new String[] {"--kernel-copy", "--no-kernel-copy"}) {
            CliRunner r = CliRunner.run("copy", src.toString(), dst.toString(), "--progress", "none", "--fsync", mode);
            assertThat(r.exitCode).as(r.toString()).isZero();
            assertThat(Files.readAllBytes(dst)).isEqualTo(data);
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dst)))
                    .isEqualTo("rw-r-----");
            assertThat(CopyCancelTest.temps(dst)).isEmpty();
        }
    }

    @Test
    void copyThroughASymbolicLinkReplacesTheFileItPointsToAndKeepsTheLink() throws Exception {
        byte[] data = random(70_000, 10);
        Path src = Files.write(tmp.resolve("src.bin"), data);
        Path real = Files.write(tmp.resolve("real.bin"), random(10, 11));
        Path link = Files.createSymbolicLink(tmp.resolve("link.bin"), real.getFileName());
        CliRunner r = CliRunner.run("copy", src.toString(), link.toString(), "--progress", "none");
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readAllBytes(real)).isEqualTo(data);
        Path dangling = Files.createSymbolicLink(tmp.resolve("dangling.bin"), tmp.resolve("nowhere"));
        r = CliRunner.run("copy", src.toString(), dangling.toString(), "--progress", "none");
        assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
        assertThat(r.err).contains("dangling symbolic link");
    }

    // ------------------------------------------------------------------ cat

    @Test
    void catConcatenatesFilesByteExact() throws Exception {
        byte[] a = random(300_001, 1);
        byte[] b = random(5, 2);
        Path fa = Files.write(tmp.resolve("a"), a);
        Path fb = Files.write(tmp.resolve("b"), b);
        Path empty = Files.write(tmp.resolve("e"), new byte[0]);
        int chunksBefore = AioFiles.outstandingChunks();
        CliRunner r = CliRunner.run("cat", fa.toString(), empty.toString(), fb.toString(), "--chunk", "64k");
        assertThat(r.exitCode).as(r.toString()).isZero();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(a);
        expected.write(b);
        assertThat(r.binary).isEqualTo(expected.toByteArray());
        assertThat(AioFiles.outstandingChunks()).isEqualTo(chunksBefore);
    }

    @Test
    void catMissingFile() {
        assertOneLineError(CliRunner.run("cat", tmp.resolve("nope").toString()), AioCli.EXIT_FAILURE, "no such file");
    }

    // ------------------------------------------------------------------ stat, bench, serve

    @Test
    void statReportsThePlatform() {
        CliRunner r = CliRunner.run("stat");
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out)
                .contains("ABI table")
                .contains("struct aiocb")
                .contains("layout check")
                .contains("notification")
                .contains("glibc AIO tuning")
                .contains("io_uring")
                .contains("engine backend")
                .contains("IO_URING backend")
                .doesNotContain("MISMATCH");
        if (org.aio4j.internal.AioInit.isAvailable()) {
            // what the shared engine really passed to aio_init, not a fixed text
            assertThat(r.out)
                    .contains(
                            "aio_threads=" + org.aio4j.engine.AioEngine.shared().aioInitThreads() + " (aio_init by")
                    .contains(org.aio4j.engine.AioEngine.shared().directLanes() + " per O_DIRECT file");
        }
    }

    @Test
    void benchQuickPrintsATableWithRatios() {
        CliRunner r = CliRunner.run("bench", "--quick", "--size", "2m", "--rounds", "1", "--dir", tmp.toString());
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out)
                .contains("aio4j AioFiles.read")
                .contains("Spring DataBufferUtils.read")
                .contains("AsynchronousFileChannel loop")
                .contains("aio4j AioFiles.copy")
                .containsPattern("\\d+\\.\\d\\dx");
        assertThat(tmp.toFile().list()).isEmpty();
    }

    @Test
    void serveServesTheDirectory() throws Exception {
        Files.writeString(tmp.resolve("hello.txt"), "hello from aio serve");
        CommandLine cl = AioCli.commandLine();
        CompletableFuture<CliRunner> running = CompletableFuture.supplyAsync(
                () -> CliRunner.run(cl, "serve", tmp.toString(), "--port", "0", "--upload-idle-timeout", "45s"));
        ServeCommand serve = cl.getSubcommands().get("serve").getCommand();
        long deadline =
                System.nanoTime() + TimeUnit.SECONDS.toNanos(240); // Spring Boot starts slowly on a busy machine
        while ((serve.context == null || !serve.context.isActive()) && System.nanoTime() < deadline) {
            assertThat(running).isNotDone();
            Thread.sleep(50);
        }
        assertThat(serve.context).as("server started").isNotNull();
        String port = serve.context.getEnvironment().getProperty("local.server.port");
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/files/hello.txt"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("hello from aio serve");
        // safe defaults: loopback only, read-only, POSIX AIO
        assertThat(serve.context.getEnvironment().getProperty("server.address")).isEqualTo("127.0.0.1");
        assertThat(serve.context.getBean(AioEngine.class).backend()).isEqualTo(EngineBackend.POSIX_AIO);
        assertThat(serve.context.getEnvironment().getProperty("aio4j.files.upload-idle-timeout"))
                .isEqualTo("45000ms");
        assertThat(serve.context.getEnvironment().getProperty("aio4j.files.upload-timeout"))
                .isEqualTo("3600000ms");
        HttpResponse<String> put = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/files/new.txt"))
                                .PUT(HttpRequest.BodyPublishers.ofString("x"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow")).hasValue("GET, HEAD");
        assertThat(tmp.resolve("new.txt")).doesNotExist();
        serve.context.close();
        CliRunner r = running.get(30, TimeUnit.SECONDS);
        assertThat(r.exitCode).as(r.toString()).isZero();
        Matcher m = Pattern.compile("at http://localhost:(\\d+)/files/").matcher(r.out);
        assertThat(m.find()).as(r.out).isTrue();
        assertThat(m.group(1)).isEqualTo(port);
    }

    /**
     * {@code serve --backend io_uring}: the server's engine (the starter's bean, not the shared engine) runs on
     * io_uring. Before, the option only set the shared engine's backend, which the server does not use.
     */
    @Test
    void serveRunsItsEngineOnTheBackendAsked() throws Exception {
        Assumptions.assumeTrue(
                EngineBackend.IO_URING.isAvailable(),
                () -> "io_uring unavailable here: " + EngineBackend.IO_URING.unavailabilityCause());
        Files.writeString(tmp.resolve("hello.txt"), "hello over io_uring");
        CommandLine cl = AioCli.commandLine();
        CompletableFuture<CliRunner> running = CompletableFuture.supplyAsync(
                () -> CliRunner.run(cl, "serve", tmp.toString(), "--port", "0", "--backend", "io_uring"));
        ServeCommand serve = cl.getSubcommands().get("serve").getCommand();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while ((serve.context == null || !serve.context.isActive()) && System.nanoTime() < deadline) {
            assertThat(running)
                    .as("serve ended early: %s", running.getNow(null))
                    .isNotDone();
            Thread.sleep(50);
        }
        assertThat(serve.context).as("server started").isNotNull();
        try {
            AioEngine engine = serve.context.getBean(AioEngine.class);
            assertThat(engine.backend()).isEqualTo(EngineBackend.IO_URING);
            assertThat(engine).isNotSameAs(AioEngine.shared());
            String port = serve.context.getEnvironment().getProperty("local.server.port");
            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/files/hello.txt"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hello over io_uring");
        } finally {
            serve.context.close();
        }
        CliRunner r = running.get(30, TimeUnit.SECONDS);
        assertThat(r.exitCode).as(r.toString()).isZero();
    }

    @Test
    void serveRefusesAWritableServerBeyondLoopbackWithoutAToken() {
        for (String bind : new String[] {"0.0.0.0", "::"}) {
            assertOneLineError(
                    CliRunner.run("serve", tmp.toString(), "--port", "0", "--writable", "--bind", bind),
                    AioCli.EXIT_USAGE,
                    "refusing to serve writable on " + bind + " without a token");
        }
        assertOneLineError(
                CliRunner.run("serve", tmp.toString(), "--port", "0", "--upload-idle-timeout", "soon"),
                AioCli.EXIT_USAGE,
                "not a duration: 'soon'");
        assertOneLineError(
                CliRunner.run("serve", tmp.toString(), "--port", "0", "--upload-timeout", "0s"),
                AioCli.EXIT_USAGE,
                "must be positive");
        assertOneLineError(
                CliRunner.run("serve", tmp.toString(), "--port", "0", "--writable", "--read-only"),
                AioCli.EXIT_USAGE,
                "exclude each other");
    }

    @Test
    void serveMissingDirectory() {
        assertOneLineError(
                CliRunner.run("serve", tmp.resolve("nope").toString(), "--port", "0"),
                AioCli.EXIT_FAILURE,
                "no such directory");
    }
}
