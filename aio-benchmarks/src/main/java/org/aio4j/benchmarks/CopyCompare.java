package org.aio4j.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.CopyOptions;

/**
 * Issue 10, copy: {@code AioFiles.copy} of the page-cached 1 GiB data file against {@code Files.copy}, in one JVM,
 * with alternating rounds (each round runs every candidate once, in a rotating order) so that the noise of a shared
 * machine falls on all of them alike; prints the median time per candidate and the ratios of the medians and the
 * median of the per-round ratios. A plain harness rather than JMH: JMH measures one candidate after the other, and on
 * this machine minutes apart is too far apart.
 *
 * <pre>{@code
 * java -cp aio-benchmarks/target/benchmarks.jar org.aio4j.benchmarks.CopyCompare [ROUNDS] [TARGET...]
 * }</pre>
 *
 * <p>Targets: {@code disk} (next to the source, on its file system: /var/tmp, ext4 here) and {@code tmpfs}
 * ({@code /dev/shm}). Candidates: {@code files} = {@code Files.copy(source, target, REPLACE_EXISTING)} (JDK 17 on
 * Linux: {@code sendfile}); {@code aio} = {@code AioFiles.copy} with the defaults (kernel copy: {@code
 * copy_file_range}, or {@code sendfile} across file systems); {@code aio-rw} = the same with {@code
 * kernelCopy(false)}, 1 MiB chunks, 4 in flight (AIO reads and writes). The target is deleted (untimed) before every
 * copy. Two warm-up rounds are not counted.
 */
public final class CopyCompare {
    private CopyCompare() {}

    interface Candidate {
        void copy(Path source, Path target) throws Exception;
    }

    /**
     * Runs the comparison.
     *
     * @param args rounds (default 9), then targets (default: disk tmpfs)
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        List<String> targets = args.length > 1 ? Arrays.asList(args).subList(1, args.length) : List.of("disk", "tmpfs");
        Path source = BenchData.dataFile();
        BenchData.warmPageCache(source);
        Map<String, Candidate> candidates = new LinkedHashMap<>();
        candidates.put("files", (s, t) -> Files.copy(s, t, StandardCopyOption.REPLACE_EXISTING));
        candidates.put(
                "aio",
                (s, t) -> check(AioFiles.copy(s, t, CopyOptions.defaults()).block()));
        candidates.put(
                "aio-rw",
                (s, t) -> check(AioFiles.copy(
                                s,
                                t,
                                CopyOptions.defaults()
                                        .kernelCopy(false)
                                        .chunkSize(1 << 20)
                                        .maxInFlight(4))
                        .block()));
        System.out.printf(
                Locale.ROOT,
                "source %s (%d bytes, page-cached), %d rounds + 2 warm-up, load %s%n",
                source,
                Files.size(source),
                rounds,
                Files.readString(Path.of("/proc/loadavg")).strip());
        for (String target : targets) {
            Path dir = target.equals("tmpfs") ? Path.of("/dev/shm") : source.getParent();
            Path out =
                    dir.resolve("aio4j-copy-compare-" + ProcessHandle.current().pid() + ".dat");
            Map<String, List<Double>> times = new LinkedHashMap<>();
            candidates.keySet().forEach(k -> times.put(k, new ArrayList<>()));
            List<String> names = new ArrayList<>(candidates.keySet());
            try {
                for (int r = -2; r < rounds; r++) {
                    for (int i = 0; i < names.size(); i++) {
                        String name = names.get(Math.floorMod(r + i, names.size())); // rotating order
                        Files.deleteIfExists(out);
                        long t0 = System.nanoTime();
                        candidates.get(name).copy(source, out);
                        double s = (System.nanoTime() - t0) / 1e9;
                        if (Files.size(out) != BenchData.FILE_SIZE) throw new IllegalStateException(name + " size");
                        if (r >= 0) times.get(name).add(s);
                    }
                }
            } finally {
                Files.deleteIfExists(out);
            }
            System.out.printf(
                    Locale.ROOT,
                    "%ntarget %s (%s, %s)%n",
                    target,
                    dir,
                    Files.getFileStore(dir).type());
            for (var e : times.entrySet()) {
                double med = median(e.getValue());
                System.out.printf(
                        Locale.ROOT,
                        "  %-7s median %.3f s = %6.0f MB/s  (min %.3f, max %.3f)%n",
                        e.getKey(),
                        med,
                        BenchData.FILE_SIZE / med / 1e6,
                        e.getValue().stream().mapToDouble(d -> d).min().orElse(0),
                        e.getValue().stream().mapToDouble(d -> d).max().orElse(0));
            }
            for (String aio : List.of("aio", "aio-rw")) {
                List<Double> perRound = new ArrayList<>();
                for (int i = 0; i < rounds; i++)
                    perRound.add(times.get("files").get(i) / times.get(aio).get(i));
                System.out.printf(
                        Locale.ROOT,
                        "  %s speed / Files.copy speed: %.2fx (ratio of medians), %.2fx (median of per-round ratios)%n",
                        aio,
                        median(times.get("files")) / median(times.get(aio)),
                        median(perRound));
            }
        }
        System.exit(0);
    }

    private static void check(Long n) {
        if (n == null || n != BenchData.FILE_SIZE) throw new IllegalStateException("AioFiles.copy reported " + n);
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(d -> d).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
