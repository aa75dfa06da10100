package org.aio4j.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.aio4j.webflux.example.AioFileServerApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A client that goes away in the middle of an upload or a server-side copy is no server error: the handler ends
 * quietly (one DEBUG line), the temporary file is removed and no Netty buffer leaks. Before, every such client gave an
 * ERROR "500 Server Error for HTTP PUT" with a stack trace from WebFlux plus a second ERROR from Reactor's default
 * {@code onErrorDropped} hook with the same {@code AbortedException}.
 */
@SpringBootTest(classes = AioFileServerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ServerLostClientTest {
    static final Path TMP;
    static final Path ROOT;

    static {
        try {
            TMP = Files.createTempDirectory("aio-webflux-lost");
            ROOT = Files.createDirectories(TMP.resolve("root"));
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("aio.server.root", ROOT::toString);
        registry.add("aio.server.max-upload-size", () -> "1GB");
        registry.add("aio.server.buffer-size", () -> "64KB");
        registry.add("aio.server.writable", () -> "true");
        registry.add("server.address", () -> "127.0.0.1");
    }

    static LeakWatch leakWatch;

    @LocalServerPort
    int port;

    @BeforeEach
    void watch() {
        leakWatch = LeakWatch.install();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        assertThat(leakWatch.collectLeaks()).as("Netty buffer leaks").isEmpty();
        try (Stream<Path> s = Files.walk(TMP)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * 4 clients, 12 uploads each, that send the head ({@code Content-Length: 100000}) and 1000 bytes, then leave: most
     * once the server has written those bytes to the temporary file (the writer is in the middle of the body; the
     * case that logged two ERRORs), some at once (the handler may not have started yet). Half close the connection
     * (FIN), half reset it (RST).
     */
    @Test
    void uploadsAbortedMidBodyLogNoErrorAndLeaveNothing() throws Exception {
        Path dir = Files.createDirectories(ROOT.resolve("up"));
        Capture logs = Capture.start();
        int[] midBody = {0};
        try {
            runClients(4, 12, (client, i) -> {
                String name = "a" + client + "-" + i + ".bin";
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setTcpNoDelay(true);
                    OutputStream out = s.getOutputStream();
                    out.write(("PUT /files/up/" + name + " HTTP/1.1\r\nHost: localhost\r\n"
                                    + "Content-Length: 100000\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    byte[] part = new byte[1000];
                    new Random(i).nextBytes(part);
                    out.write(part);
                    out.flush();
                    if (i % 4 != 3 && awaitPartWith(dir, name, part.length)) {
                        synchronized (midBody) {
                            midBody[0]++;
                        }
                    }
                    if (i % 2 == 1) s.setSoLinger(true, 0);
                }
            });
            assertThat(awaitNoFiles(dir))
                    .as("no .part and no target left in " + dir)
                    .isEmpty();
            Thread.sleep(500); // the last handlers may log after their temporary file was removed
        } finally {
            logs.stop();
        }
        assertThat(midBody[0])
                .as("uploads left while the server was writing them")
                .isGreaterThan(0);
        assertThat(logs.atLeast(Level.ERROR))
                .as("a lost client is no server error")
                .isEmpty();
        assertThat(logs.atLeast(Level.WARN))
                .as("nothing at WARN about aborted uploads")
                .noneMatch(l -> l.contains("/files/up/") || l.contains("Connection has been closed"));
        assertThat(logs.atLeast(Level.DEBUG).stream()
                        .filter(l -> l.startsWith("DEBUG") && l.contains("client went away during PUT /files/up/"))
                        .count())
                .as("each lost client at DEBUG (the body's error or the server's cancel, or both)")
                .isGreaterThanOrEqualTo(midBody[0]);
        assertServerAnswers();
    }

    /**
     * 2 clients, 6 copies each of a 256 MiB file, that leave once the copy's temporary file exists (FIN or RST). A copy
     * the server finished before it noticed is complete under its name; nothing partial is left, nothing logged at
     * ERROR.
     */
    @Test
    void copiesWhoseClientLeavesLogNoErrorAndLeaveNothing() throws Exception {
        Path dir = Files.createDirectories(ROOT.resolve("copies"));
        Path source = ROOT.resolve("source.bin");
        long size = 256L << 20;
        try (RandomAccessFile f = new RandomAccessFile(source.toFile(), "rw")) {
            f.setLength(size);
        }
        Capture logs = Capture.start();
        try {
            runClients(2, 6, (client, i) -> {
                String name = "c" + client + "-" + i + ".bin";
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setTcpNoDelay(true);
                    s.getOutputStream()
                            .write(("POST /copy?from=source.bin&to=copies/" + name
                                            + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    awaitPartWith(dir, name, 0);
                    if (i % 2 == 1) s.setSoLinger(true, 0);
                }
            });
            List<String> left = awaitNoFiles(dir);
            assertThat(left).as("no .part left in " + dir).noneMatch(RootedPaths::isTemporaryName);
            for (String name : left) assertThat(Files.size(dir.resolve(name))).isEqualTo(size);
            Thread.sleep(500);
        } finally {
            logs.stop();
        }
        assertThat(logs.atLeast(Level.ERROR))
                .as("a lost client is no server error")
                .isEmpty();
        assertThat(logs.atLeast(Level.WARN))
                .as("nothing at WARN about aborted copies")
                .noneMatch(l -> l.contains("/copy") || l.contains("Connection has been closed"));
        assertServerAnswers();
    }

    /**
     * Waits (up to 10 s) until the temporary file of {@code name} in {@code dir} holds at least {@code bytes} bytes;
     * false if it did not.
     */
    private static boolean awaitPartWith(Path dir, String name, long bytes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    String n = p.getFileName().toString();
                    try {
                        if (n.startsWith("." + name + ".")
                                && RootedPaths.isTemporaryName(n)
                                && Files.size(p) >= bytes) {
                            return true;
                        }
                    } catch (java.nio.file.NoSuchFileException gone) {
                        // removed meanwhile
                    }
                }
            }
            Thread.sleep(2);
        }
        return false;
    }

    /** One client's request number {@code i}. */
    @FunctionalInterface
    interface Request {
        void run(int client, int i) throws Exception;
    }

    private static void runClients(int clients, int requests, Request request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                all.add(pool.submit(() -> {
                    for (int i = 0; i < requests; i++) {
                        try {
                            request.run(client, i);
                        } catch (SocketException e) {
                            // the server may have answered and closed first
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) f.get(120, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Waits (up to 30 s) until {@code dir} holds no temporary file and has not changed for a while; returns the names
     * left.
     */
    private static List<String> awaitNoFiles(Path dir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> last = null;
        int stable = 0;
        while (System.nanoTime() < deadline) {
            List<String> now;
            try (Stream<Path> s = Files.list(dir)) {
                now = s.map(p -> p.getFileName().toString()).sorted().toList();
            }
            boolean temporary = now.stream().anyMatch(RootedPaths::isTemporaryName);
            stable = !temporary && now.equals(last) ? stable + 1 : 0;
            if (stable >= 10) return now;
            last = now;
            Thread.sleep(100);
        }
        return last;
    }

    private void assertServerAnswers() throws Exception {
        Files.writeString(ROOT.resolve("hello.txt"), "hello");
        RawHttp.Response r = new RawHttp(port).get("/files/hello.txt", java.util.Map.of());
        assertThat(r.status()).isEqualTo(200);
        assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo("hello");
    }

    /**
     * Logback events from every logger while started, with the router's logger at DEBUG (its per-request lines) and
     * the level it had restored afterwards.
     */
    static final class Capture {
        private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
        private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        private final Logger router = (Logger) LoggerFactory.getLogger("org.aio4j.webflux.AioFileRouter");
        private Level routerLevel;

        static Capture start() {
            Capture c = new Capture();
            c.routerLevel = c.router.getLevel();
            c.router.setLevel(Level.DEBUG);
            c.appender.start();
            c.root.addAppender(c.appender);
            return c;
        }

        void stop() {
            root.detachAppender(appender);
            router.setLevel(routerLevel);
        }

        /** "LEVEL logger: message / cause: message..." of the events at {@code level} or above. */
        List<String> atLeast(Level level) {
            List<String> out = new ArrayList<>();
            for (ILoggingEvent e : List.copyOf(appender.list)) {
                if (!e.getLevel().isGreaterOrEqual(level)) continue;
                StringBuilder sb =
                        new StringBuilder(e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage());
                for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                    sb.append(" / ").append(t.getClassName()).append(": ").append(t.getMessage());
                }
                out.add(sb.toString());
            }
            return out;
        }
    }
}
