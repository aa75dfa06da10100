package org.aio4j.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.management.ObjectName;
import org.aio4j.engine.AioEngine;
import org.aio4j.engine.EngineMetrics;
import org.aio4j.engine.Notification;
import org.aio4j.internal.NativeMemory;
import org.aio4j.reactor.AioFiles;
import org.aio4j.webflux.SoakLedger.Outcome;
import org.aio4j.webflux.SoakReport.Check;
import org.aio4j.webflux.SoakReport.Trend;
import org.aio4j.webflux.example.AioFileServerApplication;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The soak (issue 9): a configurable duration ({@code -Dsoak.duration=PT30M}, the default) of mixed load on all three
 * layers at once, with a sample of the process every 10 s, a chart, and a verdict. Runs only in the {@code soak}
 * profile ({@code mvn -B -ntp -Psoak -pl aio-webflux -am verify}), which gives the JVM a fixed, pre-touched heap and
 * native memory tracking; see docs/reliability.md, section Soak.
 *
 * <p>Load (see {@link SoakLoad}): two dedicated engines, SUSPEND and SIGNAL, each with two {@link
 * SoakLoad.EngineWorker}s and one {@link SoakLoad.FluxWorker}; the example file server (on the shared engine,
 * SUSPEND) with two {@link SoakLoad.HttpWorker}s.
 *
 * <p>Output in {@code target/soak/} of the module ({@code -Dsoak.dir=...} to change): {@code soak.csv} (the samples),
 * {@code soak.png} (one panel per metric) and {@code soak-summary.md} (the tables and the verdict).
 *
 * <p>It fails if a checked metric trends upward after warm-up (the rule is in {@link SoakReport}), or if any
 * operation was lost, signalled twice or ended in an unexpected error, or if after draining an engine has ops in
 * flight or unbalanced counters, a file of the run is still open, an upload left a temporary file, a read chunk or
 * an aio4j native allocation was not returned, or Netty reported a leaked buffer; or if an engine held more lane fds
 * than its bound at a sample ({@link LaneWatch}) or any after draining.
 */
@Tag("soak")
class SoakTest {
    static final Duration SAMPLE = Duration.parse(System.getProperty("soak.sample", "PT10S"));

    @Test
    void soak() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Duration duration = Duration.parse(System.getProperty("soak.duration", "PT30M"));
        Path out = Path.of(System.getProperty("soak.dir", "target/soak")).toAbsolutePath();
        Path work = out.resolve("work");
        deleteTree(work);
        Path root = Files.createDirectories(work.resolve("root"));
        Files.createDirectories(root.resolve("up"));
        Path[] data = {root.resolve("data-1m.bin"), root.resolve("data-8m.bin")};
        SoakLoad.writeDataFile(data[0], 1 << 20);
        SoakLoad.writeDataFile(data[1], 8 << 20);
        List<String> failures = new ArrayList<>();

        long nmt0 = nmtCommittedKb();
        assertThat(nmt0)
                .as("native memory tracking must be on (-XX:NativeMemoryTracking=summary, as the soak profile sets)")
                .isPositive();

        ConfigurableApplicationContext server = AioFileServerApplication.start(
                root,
                0,
                "--spring.main.banner-mode=off",
                "--logging.level.root=WARN",
                "--aio.server.max-upload-size=64MB",
                "--aio.server.writable=true",
                "--server.address=127.0.0.1");
        String base = "http://127.0.0.1:" + server.getEnvironment().getProperty("local.server.port");
        LeakWatch leakWatch = LeakWatch.install();
        AioEngine shared = AioEngine.shared();
        int chunks0 = AioFiles.outstandingChunks();
        long native0 = NativeMemory.outstandingBytes();

        AioEngine suspend = AioEngine.builder()
                .notification(Notification.SUSPEND)
                .name("soak-suspend")
                .maxInFlight(256)
                .build();
        AioEngine signal = AioEngine.builder()
                .notification(Notification.SIGNAL)
                .name("soak-signal")
                .maxInFlight(256)
                .cachedReadFastPath(false)
                .build();
        Map<String, AioEngine> engines = new LinkedHashMap<>();
        engines.put("suspend", suspend);
        engines.put("signal", signal);
        engines.put("shared", shared);

        SoakLedger ledger = new SoakLedger();
        ExecutorService httpExecutor = Executors.newFixedThreadPool(4, daemon("soak-http-client"));
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .executor(httpExecutor)
                .build();
        List<Runnable> loads = new ArrayList<>();
        long seed = 9;
        for (Map.Entry<String, AioEngine> e : List.copyOf(engines.entrySet()).subList(0, 2)) {
            String mode = e.getKey();
            for (int i = 0; i < 2; i++) {
                Path scratch = work.resolve("scratch-" + mode + "-" + i + ".bin");
                Files.write(scratch, new byte[(1 << 20) + (64 << 10)]);
                loads.add(new SoakLoad.EngineWorker(e.getValue(), mode, ledger, data, scratch, seed++));
            }
            Path dir = Files.createDirectories(work.resolve("flux-" + mode));
            loads.add(new SoakLoad.FluxWorker(e.getValue(), mode, ledger, data, dir, seed++));
        }
        for (int i = 0; i < 2; i++) loads.add(new SoakLoad.HttpWorker(client, base, ledger, data, i, seed++));

        List<String> columns = new ArrayList<>(List.of(
                "t_s",
                "rss_kb",
                "nmt_committed_kb",
                "fds",
                "lane_fds",
                "fds_excl_lanes",
                "threads_os",
                "threads_java",
                "native_bytes",
                "chunks",
                "heap_used_kb"));
        for (String name : engines.keySet())
            for (String m : List.of("submitted", "completed", "failed", "cancelled", "inflight", "lane_fds"))
                columns.add(name + "_" + m);
        columns.addAll(List.of("ops_total", "ops_per_s", "http_total", "http_per_s", "part_files"));
        SoakReport report = new SoakReport(columns);

        System.out.printf(
                Locale.ROOT,
                "soak: %s of load, samples every %ss into %s; server %s; engines: suspend=%s, signal=%s, shared=%s%n",
                duration,
                SAMPLE.toSeconds(),
                out,
                base,
                suspend.mechanism(),
                signal.mechanism(),
                shared.mechanism());

        // Lane fds: only the EngineWorkers open O_DIRECT files (2 per soak engine, at most one such file open each at a
        // time, closed once all its ops signalled), and a file's lanes are closed with it, so an engine never holds
        // more than (directLanes - 1) per EngineWorker; the shared engine (HTTP, buffered files) none.
        Map<String, Integer> laneBound = new LinkedHashMap<>();
        laneBound.put("suspend", 2 * (suspend.directLanes() - 1));
        laneBound.put("signal", 2 * (signal.directLanes() - 1));
        laneBound.put("shared", 0);
        LaneWatch laneWatch = new LaneWatch(laneBound);

        SoakLoad.stop = false;
        long t0 = System.nanoTime();
        long[] last = {t0, 0, 0};
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(daemon("soak-sampler"));
        sampler.scheduleAtFixedRate(
                () -> {
                    try {
                        report.add(sample(columns, engines, ledger, root, t0, last, laneWatch));
                    } catch (Throwable e) {
                        ledger.error("sampler: " + SoakLedger.describe(e));
                    }
                },
                0,
                SAMPLE.toMillis(),
                TimeUnit.MILLISECONDS);
        sampler.scheduleAtFixedRate( // the lane bound, checked ten times a second (three counters)
                () -> {
                    double t = (System.nanoTime() - t0) / 1e9;
                    for (Map.Entry<String, AioEngine> e : engines.entrySet())
                        laneWatch.check(e.getKey(), e.getValue().metrics().laneFds(), t);
                },
                50,
                100,
                TimeUnit.MILLISECONDS);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < loads.size(); i++) {
            Thread t = new Thread(loads.get(i), "soak-load-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }

        Thread.sleep(duration.toMillis());
        sampler.shutdown();
        sampler.awaitTermination(30, TimeUnit.SECONDS);
        SoakLoad.stop = true;
        long drainStart = System.nanoTime();
        for (Thread t : threads) {
            t.join(SoakLoad.SIGNAL_TIMEOUT.plusSeconds(30).toMillis());
            if (t.isAlive()) failures.add("load thread " + t.getName() + " did not stop: " + stack(t));
        }
        for (Map.Entry<String, AioEngine> e : engines.entrySet()) {
            EngineMetrics m = e.getValue().metrics();
            if (!waitFor(() -> m.inFlight() == 0 && m.queued() == 0, Duration.ofSeconds(30)))
                failures.add("engine " + e.getKey() + " not drained: " + m);
        }
        System.out.printf(
                Locale.ROOT, "soak: load stopped, drained in %d ms%n", (System.nanoTime() - drainStart) / 1_000_000);
        httpExecutor.shutdown();

        // ---------------------------------------------------------------------------------------- checks
        for (SoakLedger.Kind k : ledger.kinds()) {
            long lost = k.submitted.sum() - k.ended();
            if (lost != 0) failures.add(k.name + ": " + lost + " of " + k.submitted.sum() + " ops never signalled");
            if (k.duplicates.sum() != 0) failures.add(k.name + ": " + k.duplicates.sum() + " duplicate signals");
            if (k.count(Outcome.ERROR) != 0)
                failures.add(k.name + ": " + k.count(Outcome.ERROR) + " unexpected errors");
        }
        if (ledger.errorCount() > 0)
            failures.add(ledger.errorCount() + " unexpected events, first: "
                    + ledger.errors().get(0));
        for (Map.Entry<String, AioEngine> e : engines.entrySet()) {
            EngineMetrics m = e.getValue().metrics();
            long ended = m.completed() + m.failed() + m.cancelled();
            if (m.submitted() != ended || m.inFlight() != 0)
                failures.add("engine " + e.getKey() + ": submitted " + m.submitted() + " != completed+failed+cancelled "
                        + ended + " or inFlight " + m.inFlight() + " != 0");
        }
        String realWork = work.toRealPath().toString();
        if (!waitFor(() -> openFdsUnder(realWork).isEmpty(), Duration.ofSeconds(10)))
            failures.add(leftovers("files of the run still open", openFdsUnder(realWork)));
        if (!waitFor(() -> partFiles(root).isEmpty(), Duration.ofSeconds(10)))
            failures.add(leftovers("temporary upload files left", partFiles(root)));
        if (!waitFor(() -> AioFiles.outstandingChunks() == chunks0, Duration.ofSeconds(10)))
            failures.add("read chunks not released: " + (AioFiles.outstandingChunks() - chunks0));
        failures.addAll(laneWatch.violations());
        for (Map.Entry<String, AioEngine> e : engines.entrySet()) {
            EngineMetrics m = e.getValue().metrics();
            if (!waitFor(() -> m.laneFds() == 0, Duration.ofSeconds(10)))
                failures.add("engine " + e.getKey() + " still holds " + m.laneFds()
                        + " lane fds after draining (every file of the load is closed)");
        }
        List<String> leaks = leakWatch.collectLeaks();
        if (!leaks.isEmpty()) failures.add("Netty buffer leaks: " + leaks.size() + ", first: " + leaks.get(0));
        suspend.close();
        signal.close();
        suspend.awaitTermination(Duration.ofSeconds(30));
        signal.awaitTermination(Duration.ofSeconds(30));
        long nativeEnd = NativeMemory.outstandingBytes();
        if (nativeEnd != native0)
            failures.add("aio4j native memory after closing the soak engines: " + nativeEnd + " bytes, before them "
                    + native0);
        server.close();

        // ---------------------------------------------------------------------------------------- trends and output
        double warmup = SoakReport.warmupSeconds(duration.toSeconds());
        Map<String, Trend> trends = new LinkedHashMap<>();
        for (Check c : SoakReport.CHECKS) {
            Trend tr = report.trend(c, warmup);
            trends.put(c.column(), tr);
            if (!tr.judged())
                System.out.println("soak: " + c.column() + " not judged: " + tr.samples() + " samples after warm-up");
            if (tr.upward())
                failures.add(String.format(
                        Locale.ROOT,
                        "%s trends upward after warm-up: fitted growth %.0f over the window > limit %.0f"
                                + " (10%% of mean %.0f + %.0f)",
                        c.column(),
                        tr.growth(),
                        tr.limit(),
                        tr.mean(),
                        c.allowance()));
        }
        Files.createDirectories(out);
        Path csv = out.resolve("soak.csv"), png = out.resolve("soak.png"), md = out.resolve("soak-summary.md");
        report.writeCsv(csv);
        String title = String.format(
                Locale.ROOT,
                "aio4j soak %s, %s: engines SUSPEND + SIGNAL (%s) + shared (HTTP)%s"
                        + "\nwarm-up (first %.0f s) shaded; grey: 60 s floor after warm-up, dotted: its least-squares fit",
                LocalDate.now(),
                duration,
                signal.mechanism(),
                failures.isEmpty() ? "; PASSED" : "; FAILED",
                warmup);
        try {
            report.writeChart(png, title, warmup, trends);
        } catch (RuntimeException | IOException e) {
            failures.add("the chart could not be drawn: " + e);
        }
        Files.writeString(md, summary(duration, warmup, engines, report, trends, ledger, laneWatch, failures));
        System.out.println("soak: " + (failures.isEmpty() ? "PASSED" : "FAILED") + "; output in " + out);
        System.out.println("soak:   " + csv + "\nsoak:   " + png + "\nsoak:   " + md);
        System.out.println(Files.readString(md));
        if (failures.isEmpty()) deleteTree(work);
        assertThat(failures).as("soak failures (see " + md + ")").isEmpty();
    }

    // ------------------------------------------------------------------------------------------- sampling

    static double[] sample(
            List<String> columns,
            Map<String, AioEngine> engines,
            SoakLedger ledger,
            Path root,
            long t0,
            long[] last,
            LaneWatch laneWatch)
            throws IOException {
        long now = System.nanoTime();
        Map<String, Double> v = new LinkedHashMap<>();
        v.put("t_s", (now - t0) / 1e9);
        Map<String, Long> status = procStatus();
        v.put("rss_kb", (double) status.getOrDefault("VmRSS", -1L));
        v.put("nmt_committed_kb", (double) nmtCommittedKb());
        long fds;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            fds = s.count();
        }
        // read right after the listing (the lanes of a file come and go with it: a few dozen at most here)
        long laneFds = 0;
        for (Map.Entry<String, AioEngine> e : engines.entrySet()) {
            int n = e.getValue().metrics().laneFds();
            laneWatch.check(e.getKey(), n, (now - t0) / 1e9);
            v.put(e.getKey() + "_lane_fds", (double) n);
            laneFds += n;
        }
        v.put("fds", (double) fds);
        v.put("lane_fds", (double) laneFds);
        v.put("fds_excl_lanes", (double) (fds - laneFds));
        v.put("threads_os", (double) status.getOrDefault("Threads", -1L));
        v.put("threads_java", (double) ManagementFactory.getThreadMXBean().getThreadCount());
        v.put("native_bytes", (double) NativeMemory.outstandingBytes());
        v.put("chunks", (double) AioFiles.outstandingChunks());
        v.put("heap_used_kb", (double)
                (ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 10));
        for (Map.Entry<String, AioEngine> e : engines.entrySet()) {
            EngineMetrics m = e.getValue().metrics();
            v.put(e.getKey() + "_submitted", (double) m.submitted());
            v.put(e.getKey() + "_completed", (double) m.completed());
            v.put(e.getKey() + "_failed", (double) m.failed());
            v.put(e.getKey() + "_cancelled", (double) m.cancelled());
            v.put(e.getKey() + "_inflight", (double) m.inFlight());
        }
        long ops = ledger.ended.sum(), http = ledger.httpEnded.sum();
        double dt = Math.max(1e-9, (now - last[0]) / 1e9);
        v.put("ops_total", (double) ops);
        v.put("ops_per_s", dt < 1 ? 0 : (ops - last[1]) / dt);
        v.put("http_total", (double) http);
        v.put("http_per_s", dt < 1 ? 0 : (http - last[2]) / dt);
        v.put("part_files", (double) partFiles(root).size());
        last[0] = now;
        last[1] = ops;
        last[2] = http;
        double[] row = new double[columns.size()];
        for (int i = 0; i < row.length; i++) row[i] = v.get(columns.get(i));
        System.out.printf(
                Locale.ROOT,
                "soak: t=%4.0fs rss=%dMiB nmt=%dMiB fds=%d (lanes %d) threads=%d/%d native=%dKiB ops/s=%.0f"
                        + " http/s=%.1f"
                        + " inflight=%.0f/%.0f/%.0f%n",
                v.get("t_s"),
                status.getOrDefault("VmRSS", 0L) >> 10,
                (long) (v.get("nmt_committed_kb") / 1024),
                v.get("fds").longValue(),
                v.get("lane_fds").longValue(),
                v.get("threads_os").longValue(),
                v.get("threads_java").longValue(),
                v.get("native_bytes").longValue() >> 10,
                v.get("ops_per_s"),
                v.get("http_per_s"),
                v.get("suspend_inflight"),
                v.get("signal_inflight"),
                v.get("shared_inflight"));
        return row;
    }

    /** The numeric fields of {@code /proc/self/status} (kB for the Vm ones). */
    static Map<String, Long> procStatus() throws IOException {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            int c = line.indexOf(':');
            if (c < 0) continue;
            String[] parts = line.substring(c + 1).trim().split("\\s+");
            try {
                m.put(line.substring(0, c), Long.parseLong(parts[0]));
            } catch (NumberFormatException ignored) {
                // not a number
            }
        }
        return m;
    }

    static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");

    /** NMT's total committed memory in KiB (DiagnosticCommand {@code vmNativeMemory summary}); -1 if NMT is off. */
    static long nmtCommittedKb() {
        try {
            String text = (String) ManagementFactory.getPlatformMBeanServer()
                    .invoke(
                            new ObjectName("com.sun.management:type=DiagnosticCommand"),
                            "vmNativeMemory",
                            new Object[] {new String[] {"summary"}},
                            new String[] {String[].class.getName()});
            Matcher m = NMT_TOTAL.matcher(text);
            return m.find() ? Long.parseLong(m.group(2)) : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    static List<String> openFdsUnder(String dir) {
        List<String> open = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(dir)) open.add(target);
                } catch (IOException ignored) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return open;
    }

    static List<Path> partFiles(Path root) {
        // uploads create and remove .part files all the time: one can vanish between readdir and the walk's stat
        // (NoSuchFileException, wrapped): walk again (the second 30-minute run's sampler failed on that once)
        for (int attempt = 1; ; attempt++) {
            try (Stream<Path> s = Files.walk(root)) {
                return s.filter(p -> p.getFileName().toString().endsWith(".part"))
                        .toList();
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 5) {
                    return List.of(Path.of("? " + e));
                }
            } catch (IOException e) {
                return List.of(Path.of("? " + e));
            }
        }
    }

    /** "what: n, e.g. [the first three]", with the sizes of files that still exist. */
    static String leftovers(String what, List<?> items) {
        StringBuilder sb =
                new StringBuilder(what).append(": ").append(items.size()).append(", e.g.");
        for (Object o : items.subList(0, Math.min(3, items.size()))) {
            sb.append(' ').append(o);
            Path p = Path.of(o.toString());
            try {
                if (Files.isRegularFile(p))
                    sb.append(" (").append(Files.size(p)).append(" bytes)");
            } catch (IOException | RuntimeException ignored) {
                // gone meanwhile
            }
        }
        return sb.toString();
    }

    static boolean waitFor(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(50);
        }
        return true;
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    static String stack(Thread t) {
        StringBuilder sb = new StringBuilder();
        for (StackTraceElement e : t.getStackTrace()) sb.append("\n    at ").append(e);
        return sb.toString();
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /**
     * The lane fds each engine holds ({@code EngineMetrics.laneFds()}), checked every 100 ms and at every sample
     * against a bound: the most it may hold with its files' lanes closed at each file's close. Over the bound means
     * lanes outlive their files (the old once-a-second sweep) or leak.
     */
    static final class LaneWatch {
        private final Map<String, Integer> bound;
        private final Map<String, Integer> max = new java.util.concurrent.ConcurrentHashMap<>();
        private final List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());

        LaneWatch(Map<String, Integer> bound) {
            this.bound = Map.copyOf(bound);
        }

        void check(String engine, int laneFds, double t) {
            max.merge(engine, laneFds, Math::max);
            int b = bound(engine);
            if (laneFds > b && violations.size() < 20)
                violations.add(String.format(
                        Locale.ROOT,
                        "engine %s held %d lane fds at t=%.0fs, more than its bound %d",
                        engine,
                        laneFds,
                        t,
                        b));
        }

        int bound(String engine) {
            return bound.getOrDefault(engine, 0);
        }

        int max(String engine) {
            return max.getOrDefault(engine, 0);
        }

        List<String> violations() {
            synchronized (violations) {
                return List.copyOf(violations);
            }
        }
    }

    // ------------------------------------------------------------------------------------------- summary

    static String summary(
            Duration duration,
            double warmup,
            Map<String, AioEngine> engines,
            SoakReport report,
            Map<String, Trend> trends,
            SoakLedger ledger,
            LaneWatch laneWatch,
            List<String> failures) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Soak ")
                .append(Instant.now())
                .append(": ")
                .append(duration)
                .append(failures.isEmpty() ? ", PASSED" : ", FAILED")
                .append("\n\n");
        sb.append(String.format(Locale.ROOT, "Warm-up: first %.0f s. Samples: %d.%n%n", warmup, report.rows.size()));
        sb.append(
                "| metric | start | end | floor mean after warm-up | fitted growth of the floor | limit | verdict |\n");
        sb.append("| --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
        Map<String, double[]> fl = report.firstAndLast();
        for (String c : List.of(
                "rss_kb",
                "nmt_committed_kb",
                "fds",
                "lane_fds",
                "fds_excl_lanes",
                "threads_os",
                "threads_java",
                "native_bytes",
                "chunks",
                "heap_used_kb")) {
            double[] v = fl.getOrDefault(c, new double[] {Double.NaN, Double.NaN});
            Trend t = trends.get(c);
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %.0f | %.0f | %s | %s | %s | %s |%n",
                    c,
                    v[0],
                    v[1],
                    t == null || !t.judged() ? "" : String.format(Locale.ROOT, "%.0f", t.mean()),
                    t == null || !t.judged() ? "" : String.format(Locale.ROOT, "%+.0f", t.growth()),
                    t == null || !t.judged() ? "" : String.format(Locale.ROOT, "%.0f", t.limit()),
                    t == null ? "not checked" : !t.judged() ? "not judged" : t.upward() ? "**UPWARD**" : "flat"));
        }
        sb.append("\n| engine | mechanism | submitted | completed | failed | cancelled | inFlight at end"
                + " | lane fds: max seen / bound / at the end |\n");
        sb.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Map.Entry<String, AioEngine> e : engines.entrySet()) {
            EngineMetrics m = e.getValue().metrics();
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | %d | %d | %d | %d | %d / %d / %d |%n",
                    e.getKey(),
                    e.getValue().mechanism(),
                    m.submitted(),
                    m.completed(),
                    m.failed(),
                    m.cancelled(),
                    m.inFlight(),
                    laneWatch.max(e.getKey()),
                    laneWatch.bound(e.getKey()),
                    m.laneFds()));
        }
        sb.append("\n| operation | started | ok | cancelled | aborted | error | duplicate | lost |\n");
        sb.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        long total = 0;
        for (SoakLedger.Kind k : ledger.kinds()) {
            total += k.submitted.sum();
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %d | %d | %d | %d | %d | %d |%n",
                    k.name,
                    k.submitted.sum(),
                    k.count(Outcome.OK),
                    k.count(Outcome.CANCELLED),
                    k.count(Outcome.ABORTED),
                    k.count(Outcome.ERROR),
                    k.duplicates.sum(),
                    k.submitted.sum() - k.ended()));
        }
        sb.append(String.format(Locale.ROOT, "| **total** | %d | | | | | | |%n", total));
        sb.append("\nFailures: ").append(failures.isEmpty() ? "none" : "").append('\n');
        for (String f : failures) sb.append("- ").append(f).append('\n');
        List<String> errors = ledger.errors();
        if (!errors.isEmpty()) {
            sb.append("\nFirst unexpected events:\n");
            for (String e : errors.subList(0, Math.min(20, errors.size())))
                sb.append("- ").append(e).append('\n');
        }
        return sb.toString();
    }
}
