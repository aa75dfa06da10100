package org.aio4j.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.aio4j.PosixAio;
import org.aio4j.engine.AioEngine;
import org.aio4j.engine.EngineBackend;
import org.aio4j.internal.AioAbi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aio stat}: what aio4j finds on this machine. */
@Command(
        name = "stat",
        mixinStandardHelpOptions = true,
        description = {
            "Print the platform, the struct layout table in use (checked against the C compiler when gcc or cc is",
            "installed), the engine's notification mode, glibc AIO tuning and whether io_uring would be available."
        })
final class StatCommand implements Callable<Integer> {
    @Option(names = "--no-compiler", description = "Skip the struct layout check with the C compiler.")
    boolean noCompiler;

    @Spec
    CommandSpec spec;

    private PrintWriter out;

    private void row(String key, Object value) {
        out.printf("%-22s %s%n", key, value);
    }

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        String[] version = new AioCli.Version().getVersion();
        row("aio4j", version[0]);
        row("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        row(
                "os",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " ("
                        + System.getProperty("os.arch") + ")");
        String glibc = NativeProbe.glibcVersion();
        row("C library", glibc != null ? "glibc " + glibc : "not glibc");

        AioAbi abi;
        try {
            abi = AioAbi.current();
        } catch (UnsupportedOperationException e) {
            row("ABI table", "none: " + e.getMessage());
            row("POSIX AIO", "unavailable");
            row("io_uring", NativeProbe.ioUring());
            out.flush();
            return AioCli.EXIT_FAILURE;
        }
        row("ABI table", abi.name);
        row(
                "struct aiocb",
                abi.aiocb.size() + " bytes: fildes@" + abi.aiocb.fildes() + " lio_opcode@" + abi.aiocb.lioOpcode()
                        + " reqprio@" + abi.aiocb.reqprio() + " buf@" + abi.aiocb.buf() + " nbytes@"
                        + abi.aiocb.nbytes() + " sigevent@" + abi.aiocb.sigevent() + " offset@"
                        + abi.aiocb.offset());
        row(
                "struct sigevent",
                abi.sigevent.size() + " bytes: value@" + abi.sigevent.value() + " signo@" + abi.sigevent.signo()
                        + " notify@" + abi.sigevent.notifyField() + " notify_function@"
                        + abi.sigevent.notifyFunction() + " notify_attributes@" + abi.sigevent.notifyAttributes());
        row("layout check", noCompiler ? "skipped (--no-compiler)" : LayoutCheck.run(abi));

        boolean available = PosixAio.isAvailable();
        int helperThreads = 0;
        row("POSIX AIO", available ? "available" : "unavailable: " + Errors.describe(PosixAio.unavailabilityCause()));
        if (available) {
            try {
                AioEngine engine = AioEngine.shared();
                row(
                        "notification",
                        (engine.notification() != null ? engine.notification() : engine.backend()) + " ("
                                + engine.mechanism() + ")");
                row("engine backend", engine.backend() + " (shared engine; -Daio4j.backend=io_uring|posix_aio)");
                row(
                        "engine",
                        "shared: " + engine.maxInFlight() + " slots, " + engine.lanes() + " lane(s) per buffered file, "
                                + engine.directLanes() + " per O_DIRECT file, cached-read fast path "
                                + (engine.cachedReadFastPath() ? "on (buffered files)" : "off"));
                helperThreads = engine.aioInitThreads();
            } catch (RuntimeException | LinkageError e) {
                row("notification", "engine failed to start: " + Errors.describe(e));
            }
        }
        if (glibc != null) {
            row(
                    "glibc AIO tuning",
                    helperThreads > 0
                            ? "aio_threads=" + helperThreads
                                    + " (aio_init by the shared engine: one helper per O_DIRECT"
                                    + " lane), aio_num=64, aio_idle_time=1s (glibc default)"
                            : "aio_threads=20 aio_num=64 aio_idle_time=1s (glibc defaults; no engine called"
                                    + " aio_init)");
        } else {
            row("glibc AIO tuning", "not applicable (not glibc)");
        }
        row("io_uring", NativeProbe.ioUring());
        Throwable uring = EngineBackend.IO_URING.unavailabilityCause();
        row("IO_URING backend", uring == null ? "available" : "unavailable: " + Errors.describe(uring));
        out.flush();
        return 0;
    }

    /** Compiles a tiny C program with the system's compiler and compares its offsets with the Java table. */
    static final class LayoutCheck {
        private static final String PROGRAM = String.join(
                "\n",
                "#define _GNU_SOURCE 1",
                "#include <aio.h>",
                "#include <signal.h>",
                "#include <stddef.h>",
                "#include <stdio.h>",
                "#define OFF(s, f, n) printf(\"%s %ld\\n\", n, (long) offsetof(struct s, f))",
                "int main(void) {",
                "  printf(\"aiocb.size %ld\\n\", (long) sizeof(struct aiocb));",
                "  OFF(aiocb, aio_fildes, \"aiocb.fildes\");",
                "  OFF(aiocb, aio_lio_opcode, \"aiocb.lioOpcode\");",
                "  OFF(aiocb, aio_reqprio, \"aiocb.reqprio\");",
                "  OFF(aiocb, aio_buf, \"aiocb.buf\");",
                "  OFF(aiocb, aio_nbytes, \"aiocb.nbytes\");",
                "  OFF(aiocb, aio_sigevent, \"aiocb.sigevent\");",
                "  OFF(aiocb, aio_offset, \"aiocb.offset\");",
                "  printf(\"sigevent.size %ld\\n\", (long) sizeof(struct sigevent));",
                "  OFF(sigevent, sigev_value, \"sigevent.value\");",
                "  OFF(sigevent, sigev_signo, \"sigevent.signo\");",
                "  OFF(sigevent, sigev_notify, \"sigevent.notify\");",
                "  return 0;",
                "}",
                "");

        static String run(AioAbi abi) {
            String cc = findCompiler();
            if (cc == null) return "skipped (no gcc or cc on PATH)";
            Path dir = null;
            try {
                dir = Files.createTempDirectory("aio-stat");
                Path src = Files.writeString(dir.resolve("layout.c"), PROGRAM, StandardCharsets.US_ASCII);
                Path exe = dir.resolve("layout");
                String compiled = exec(List.of(cc, "-o", exe.toString(), src.toString()));
                if (compiled == null) return "skipped (" + cc + " could not compile the probe)";
                String output = exec(List.of(exe.toString()));
                if (output == null) return "skipped (the probe did not run)";
                Map<String, Long> c = new LinkedHashMap<>();
                for (String line : output.split("\n")) {
                    String[] kv = line.trim().split(" ");
                    if (kv.length == 2) c.put(kv[0], Long.parseLong(kv[1]));
                }
                Map<String, Integer> java = new LinkedHashMap<>();
                java.put("aiocb.size", abi.aiocb.size());
                java.put("aiocb.fildes", abi.aiocb.fildes());
                java.put("aiocb.lioOpcode", abi.aiocb.lioOpcode());
                java.put("aiocb.reqprio", abi.aiocb.reqprio());
                java.put("aiocb.buf", abi.aiocb.buf());
                java.put("aiocb.nbytes", abi.aiocb.nbytes());
                java.put("aiocb.sigevent", abi.aiocb.sigevent());
                java.put("aiocb.offset", abi.aiocb.offset());
                java.put("sigevent.size", abi.sigevent.size());
                java.put("sigevent.value", abi.sigevent.value());
                java.put("sigevent.signo", abi.sigevent.signo());
                java.put("sigevent.notify", abi.sigevent.notifyField());
                StringBuilder bad = new StringBuilder();
                for (Map.Entry<String, Integer> e : java.entrySet()) {
                    Long fromC = c.get(e.getKey());
                    if (fromC == null || fromC.longValue() != e.getValue()) {
                        bad.append(' ')
                                .append(e.getKey())
                                .append(" java=")
                                .append(e.getValue())
                                .append(" C=")
                                .append(fromC);
                    }
                }
                return bad.length() == 0
                        ? "matches " + cc + " (" + java.size() + " sizes and offsets)"
                        : "MISMATCH with " + cc + ":" + bad;
            } catch (Exception e) {
                return "skipped (" + Errors.describe(e) + ")";
            } finally {
                if (dir != null) {
                    for (String n : new String[] {"layout", "layout.c"}) {
                        try {
                            Files.deleteIfExists(dir.resolve(n));
                        } catch (Exception ignored) {
                            // best effort
                        }
                    }
                    try {
                        Files.deleteIfExists(dir);
                    } catch (Exception ignored) {
                        // best effort
                    }
                }
            }
        }

        private static String findCompiler() {
            String path = System.getenv("PATH");
            if (path == null) return null;
            for (String name : new String[] {"gcc", "cc"}) {
                for (String dir : path.split(java.io.File.pathSeparator)) {
                    Path p = Path.of(dir, name);
                    if (Files.isExecutable(p)) return p.toString();
                }
            }
            return null;
        }

        /** Runs a command with a timeout; its stdout, or null on failure. */
        private static String exec(List<String> command) throws Exception {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] bytes;
            try (var in = p.getInputStream()) {
                bytes = in.readAllBytes();
            }
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(bytes, StandardCharsets.UTF_8) : null;
        }
    }
}
