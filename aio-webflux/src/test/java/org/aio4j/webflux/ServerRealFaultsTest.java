package org.aio4j.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.aio4j.webflux.example.AioFileServerApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 9, item 3: real faults end to end through the server (Reactor Netty, real sockets): a file truncated or
 * deleted while it is sent, a full file system (a 1 MiB tmpfs mounted under the root), the file size limit
 * ({@code RLIMIT_FSIZE} on this JVM; HotSpot ignores SIGXFSZ, so the write fails with EFBIG), a directory removed
 * under an upload, and an upload onto a directory. Each gives its status (or, once the headers are out, a connection
 * that ends at once), and leaves nothing partial under a final name.
 */
@SpringBootTest(classes = AioFileServerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ServerRealFaultsTest {
    static final Path TMP;
    static final Path ROOT;

    static {
        try {
            TMP = Files.createTempDirectory("aio-webflux-faults");
            ROOT = Files.createDirectories(TMP.resolve("root"));
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("aio.server.root", ROOT::toString);
        registry.add("aio.server.max-upload-size", () -> "64MB");
        registry.add("aio.server.buffer-size", () -> "64KB");
        registry.add("aio.server.writable", () -> "true");
        registry.add("server.address", () -> "127.0.0.1");
    }

    @LocalServerPort
    int port;

    @AfterAll
    static void cleanUp() throws Exception {
        try (Stream<Path> s = Files.walk(TMP)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    record Response(int status, String head, byte[] body, boolean endedEarly) {}

    /** Sends a request (a body of {@code size} bytes if size >= 0, with {@code midway} run after half of it). */
    private Response exchange(String method, String path, int size, Runnable midway) throws Exception {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            String req = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                    + (size >= 0 ? "Content-Length: " + size + "\r\n" : "") + "\r\n";
            out.write(req.getBytes(StandardCharsets.US_ASCII));
            if (size >= 0) {
                byte[] body = new byte[size];
                new Random(size).nextBytes(body);
                try {
                    out.write(body, 0, size / 2);
                    out.flush();
                    Thread.sleep(200);
                    if (midway != null) midway.run();
                    out.write(body, size / 2, size - size / 2);
                    out.flush();
                } catch (SocketException e) {
                    // the server may answer (and close) before the whole body was sent
                }
            }
            return read(socket.getInputStream(), Long.MAX_VALUE, null);
        }
    }

    /** Reads a response; after {@code after} body bytes runs {@code midway} once. */
    private static Response read(InputStream in, long after, Runnable midway) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) break;
            head.append((char) c);
        }
        String h = head.toString();
        int status = Integer.parseInt(h.substring(9, 12));
        long length = -1;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(line.substring(15).trim());
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        boolean early = false;
        boolean ran = false;
        while (length < 0 ? false : body.size() < length) {
            if (!ran && body.size() >= after && midway != null) {
                midway.run();
                ran = true;
            }
            int n;
            try {
                n = in.read(buf, 0, (int) Math.min(buf.length, length - body.size()));
            } catch (SocketException e) {
                n = -1;
            }
            if (n < 0) {
                early = true;
                break;
            }
            body.write(buf, 0, n);
            if (midway != null && !ran) Thread.sleep(1); // slow enough for the midway action to land mid-body
        }
        return new Response(status, h, body.toByteArray(), early);
    }

    private Response download(String name, long after, Runnable midway) throws Exception {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(20_000);
            socket.setReceiveBufferSize(64 * 1024);
            socket.getOutputStream()
                    .write(("GET /files/" + name + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            return read(socket.getInputStream(), after, midway);
        }
    }

    private static byte[] bigFile(Path p, int size) throws Exception {
        byte[] b = new byte[size];
        new Random(3).nextBytes(b);
        Files.write(p, b);
        return b;
    }

    private static List<String> listing(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .map(p -> ROOT.relativize(p).toString())
                    .sorted()
                    .toList();
        }
    }

    /**
     * Before the fix the server sent what was left and then held the kept-alive connection open: the client waited
     * for the promised bytes forever (here: until its 20 s read timeout).
     */
    @Test
    void aFileTruncatedWhileItIsSentEndsTheConnectionAtOnce() throws Exception {
        LogCapture logs = LogCapture.start();
        Path p = ROOT.resolve("shrinks.bin");
        byte[] data = bigFile(p, 32 << 20);
        long t0 = System.nanoTime();
        Response r = download("shrinks.bin", 1 << 20, () -> {
            try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                f.setLength(2 << 20);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.head()).containsIgnoringCase("content-length: " + data.length);
        assertThat(r.endedEarly())
                .as("the connection ended before the promised length")
                .isTrue();
        assertThat(r.body().length).isLessThan(data.length);
        assertThat(ms).as("ended at once, not by the client's timeout").isLessThan(15_000);
        // one WARN that names the file, and nothing else at WARN or above about it (no stack trace from WebFlux)
        List<String> warnings = logs.awaitAtLeast(1, "shrank while it was sent");
        logs.stop();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("WARN", p.toString(), "of " + data.length + " promised bytes");
        assertThat(logs.warningsMentioning("changed while it was sent")).isEmpty();
        // what did arrive is the file's prefix
        for (int i = 0; i < Math.min(r.body().length, 1 << 20); i++) {
            if (r.body()[i] != data[i]) throw new AssertionError("byte " + i);
        }
    }

    @Test
    void aFileThatGrowsWhileItIsSentIsLoggedOnce() throws Exception {
        LogCapture logs = LogCapture.start();
        Path p = ROOT.resolve("grows.bin");
        // as large as in the truncation test: the server must still be sending when the file grows
        byte[] data = bigFile(p, 32 << 20);
        Response r = download("grows.bin", 1 << 20, () -> {
            try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                f.setLength(64 << 20);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.endedEarly()).isFalse();
        assertThat(r.body()).isEqualTo(data); // the promised bytes, no more
        List<String> warnings = logs.awaitAtLeast(1, "grew while it was sent");
        Thread.sleep(200); // a second WARN would come from the same completion; give it the time to show
        logs.stop();
        assertThat(logs.warningsMentioning("grew while it was sent")).hasSize(1);
        assertThat(warnings.get(0)).contains(p.toString(), (32 << 20) + " bytes sent", "now has " + (64 << 20));
        // a file served whole and unchanged gives no WARN
        LogCapture quiet = LogCapture.start();
        Response again = download("grows.bin", Long.MAX_VALUE, null);
        assertThat(again.body()).hasSize(64 << 20);
        Thread.sleep(200);
        quiet.stop();
        assertThat(quiet.warningsMentioning("grows.bin")).isEmpty();
    }

    /** Logback events at WARN and above, from every logger, while started. */
    static final class LogCapture {
        private final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();
        private final ch.qos.logback.classic.Logger root =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

        /**
         * The router's logger at WARN while capturing: another test's Spring application in this JVM (HttpFuzzTest
         * sets it to ERROR) may have left it quieter, and the suite's order decides which ran last.
         */
        private final ch.qos.logback.classic.Logger router =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.aio4j.webflux.AioFileRouter");

        private ch.qos.logback.classic.Level routerLevel;

        static LogCapture start() {
            LogCapture c = new LogCapture();
            c.routerLevel = c.router.getLevel();
            c.router.setLevel(ch.qos.logback.classic.Level.WARN);
            c.appender.start();
            c.root.addAppender(c.appender);
            return c;
        }

        void stop() {
            root.detachAppender(appender);
            router.setLevel(routerLevel);
        }

        /** "LEVEL logger: message" plus the throwable's messages, of the events at WARN or above mentioning text. */
        synchronized List<String> warningsMentioning(String text) {
            List<String> out = new java.util.ArrayList<>();
            for (ch.qos.logback.classic.spi.ILoggingEvent e : List.copyOf(appender.list)) {
                if (!e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN)) continue;
                StringBuilder sb =
                        new StringBuilder(e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage());
                for (ch.qos.logback.classic.spi.IThrowableProxy t = e.getThrowableProxy();
                        t != null;
                        t = t.getCause()) {
                    sb.append(" / ").append(t.getClassName()).append(": ").append(t.getMessage());
                }
                if (sb.toString().contains(text)) out.add(sb.toString());
            }
            return out;
        }

        List<String> awaitAtLeast(int n, String text) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            List<String> found;
            while ((found = warningsMentioning(text)).size() < n && System.nanoTime() < deadline) Thread.sleep(20);
            return found;
        }
    }

    @Test
    void aFileDeletedWhileItIsSentArrivesWhole() throws Exception {
        Path p = ROOT.resolve("deleted.bin");
        byte[] data = bigFile(p, 8 << 20);
        Response r = download("deleted.bin", 1 << 20, () -> {
            try {
                Files.delete(p);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.endedEarly()).isFalse();
        assertThat(r.body()).isEqualTo(data);
        assertThat(p).doesNotExist();
    }

    @Test
    void uploadToAFullFileSystemIs507AndLeavesNothing() throws Exception {
        Path mnt = Files.createDirectories(ROOT.resolve("full"));
        Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt.toString())
                .redirectErrorStream(true)
                .start();
        m.getInputStream().readAllBytes();
        Assumptions.assumeTrue(m.waitFor(20, TimeUnit.SECONDS) && m.exitValue() == 0, "cannot mount a tmpfs here");
        try {
            Response r = exchange("PUT", "/files/full/big.bin", 4 << 20, null);
            assertThat(r.status()).as(r.head()).isEqualTo(507);
            Thread.sleep(300); // the temporary file is removed on a background thread
            assertThat(listing(mnt)).isEmpty();
            // and a small one still fits
            assertThat(exchange("PUT", "/files/full/small.bin", 1000, null).status())
                    .isEqualTo(201);
            assertThat(listing(mnt)).containsExactly("full/small.bin");
        } finally {
            new ProcessBuilder("umount", "-l", mnt.toString()).start().waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void uploadPastTheFileSizeLimitIs413AndLeavesNothing() throws Exception {
        long pid = ProcessHandle.current().pid();
        Process set = new ProcessBuilder("prlimit", "--pid", String.valueOf(pid), "--fsize=1048576:unlimited")
                .redirectErrorStream(true)
                .start();
        set.getInputStream().readAllBytes();
        Assumptions.assumeTrue(set.waitFor(20, TimeUnit.SECONDS) && set.exitValue() == 0, "no prlimit here");
        Path dir = Files.createDirectories(ROOT.resolve("limited"));
        try {
            Response r = exchange("PUT", "/files/limited/big.bin", 3 << 20, null);
            assertThat(r.status()).as(r.head()).isEqualTo(413);
        } finally {
            new ProcessBuilder("prlimit", "--pid", String.valueOf(pid), "--fsize=unlimited:unlimited")
                    .start()
                    .waitFor(20, TimeUnit.SECONDS);
        }
        Thread.sleep(300);
        assertThat(listing(dir)).isEmpty();
    }

    @Test
    void aDirectoryRemovedUnderAnUploadIs404AndLeavesNothing() throws Exception {
        Path dir = Files.createDirectories(ROOT.resolve("vanishing"));
        Response r = exchange("PUT", "/files/vanishing/up.bin", 8 << 20, () -> {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(r.status()).as(r.head()).isEqualTo(404);
        assertThat(dir).doesNotExist();
    }

    @Test
    void uploadOntoADirectoryIsRefusedAndTheDirectoryStays() throws Exception {
        Path dir = Files.createDirectories(ROOT.resolve("a-dir"));
        Files.writeString(dir.resolve("inside.txt"), "x");
        Response r = exchange("PUT", "/files/a-dir", 1000, null);
        assertThat(r.status()).as(r.head()).isBetween(400, 499);
        assertThat(dir.resolve("inside.txt")).hasContent("x");
    }
}
