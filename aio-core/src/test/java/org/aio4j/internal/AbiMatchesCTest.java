package org.aio4j.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles {@code src/test/resources/abi/abi_probe.c} with the machine's C compiler, runs it, and compares every
 * offset, size, constant and errno it prints with the Java table for this platform. Skipped (with the reason) where
 * no C compiler is on the PATH. Two more checks run where their tools are installed: the musl table with {@code
 * musl-gcc -static}, and the glibc aarch64 table with {@code aarch64-linux-gnu-gcc -static} run under {@code
 * qemu-aarch64-static}.
 */
class AbiMatchesCTest {
    private static final String OS_NAME = System.getProperty("os.name", "");
    private static final String OS_ARCH = System.getProperty("os.arch", "");
    private static final boolean LINUX = OS_NAME.toLowerCase(Locale.ROOT).startsWith("linux");

    /** What the probe printed: {@code libc} and the "NAME value" lines in order. */
    record Probe(String libc, Map<String, String> values, String compiler) {}

    /**
     * Skips the check when a tool it needs is missing, or fails it when the environment variable {@code
     * AIO4J_REQUIRE_ALL_CHECKS} is {@code true} (CI sets it, after installing the tools): on CI no layout check may
     * pass by skipping.
     */
    static void toolPresent(boolean present, String skipMessage) {
        if (present) return;
        if ("true".equalsIgnoreCase(System.getenv("AIO4J_REQUIRE_ALL_CHECKS"))) {
            throw new AssertionError(
                    skipMessage.replace("skipped", "cannot run")
                            + "; AIO4J_REQUIRE_ALL_CHECKS=true forbids skipping it (scripts/install-test-tools.sh installs the tools)");
        }
        assumeTrue(false, skipMessage);
    }

    /** The target triple a compiler prints for {@code -dumpmachine} ({@code x86_64-linux-gnu}), or "". */
    static String machineOf(Path compiler) throws Exception {
        Process p = new ProcessBuilder(compiler.toString(), "-dumpmachine")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        return p.waitFor() == 0 ? out : "";
    }

    /** True if the target triple {@code machine} is for the JVM architecture {@code osArch}. */
    static boolean sameArch(String machine, String osArch) {
        boolean x86 = osArch.equals("amd64") || osArch.equals("x86_64");
        boolean arm = osArch.equals("aarch64") || osArch.equals("arm64");
        if (machine.startsWith("x86_64")) return x86;
        if (machine.startsWith("aarch64") || machine.startsWith("arm64")) return arm;
        return true; // unknown triple (clang on macOS prints arm64-apple-darwin): compare and see
    }

    @Test
    void thisPlatformsTableMatchesTheCHeaders(@TempDir Path dir) throws Exception {
        Path cc = onPath("cc", "gcc", "clang");
        toolPresent(
                cc != null,
                "AbiMatchesCTest skipped: no C compiler (cc, gcc or clang) on the PATH, so the " + AioAbi.current()
                        + " table cannot be compared with the C headers here");
        String target = machineOf(cc);
        assumeTrue(
                sameArch(target, OS_ARCH),
                "this JVM is " + OS_ARCH + " (emulated?) and " + cc + " targets " + target
                        + ": the JVM's table is checked by the cross-compiler test instead");
        Probe probe = compileAndRun(dir, List.of(cc.toString()), "abi_probe");
        AioAbi abi = AioAbi.current();
        if (LINUX) {
            assertThat(probe.libc())
                    .as(
                            "the C compiler %s targets %s, but aio4j detected %s for this JVM (AioAbi.LinuxLibc.detect())",
                            cc, probe.libc(), AioAbi.LinuxLibc.detect())
                    .isEqualTo(AioAbi.LinuxLibc.detect().name().toLowerCase(Locale.ROOT));
        }
        assertMatches(abi, probe, Errno.family(OS_NAME), Set.of());
    }

    @Test
    void muslTableMatchesMuslGcc(@TempDir Path dir) throws Exception {
        Path muslGcc = onPath("musl-gcc");
        assumeTrue(LINUX, "musl check skipped: not Linux");
        toolPresent(muslGcc != null, "musl check skipped: musl-gcc is not on the PATH (apt-get install musl-tools)");
        // -static: the binary runs without musl's dynamic loader being installed.
        Probe probe = compileAndRun(dir, List.of(muslGcc.toString(), "-static"), "abi_probe_musl");
        assertThat(probe.libc()).as("musl-gcc's headers identify as").isEqualTo("musl");
        // musl-gcc targets the host's architecture, which an emulated JVM's os.arch is not
        String muslArch = machineOf(muslGcc).startsWith("aarch64") ? "aarch64" : "amd64";
        AioAbi musl = AioAbi.select(OS_NAME, muslArch, AioAbi.LinuxLibc.MUSL);
        // musl 1.2.3 (Debian 12) predates preadv2/RWF_NOWAIT in <sys/uio.h>; the table keeps the kernel's value.
        assertMatches(musl, probe, Errno.LINUX, Set.of("RWF_NOWAIT"));
    }

    @Test
    void glibcAarch64TableMatchesACrossCompilerUnderQemu(@TempDir Path dir) throws Exception {
        Path gcc = onPath("aarch64-linux-gnu-gcc");
        Path qemu = onPath("qemu-aarch64-static", "qemu-aarch64");
        toolPresent(
                gcc != null && qemu != null,
                "glibc aarch64 cross-check skipped: needs aarch64-linux-gnu-gcc and qemu-aarch64(-static) on the PATH"
                        + " (apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static)");
        Probe probe = compileAndRun(dir, List.of(gcc.toString(), "-static"), "abi_probe_aarch64", qemu.toString());
        assertThat(probe.libc()).isEqualTo("glibc");
        assertMatches(AioAbi.select("Linux", "aarch64", AioAbi.LinuxLibc.GLIBC), probe, Errno.LINUX, Set.of());
    }

    @Test
    void comparisonReportsEveryDifferenceByName() {
        AioAbi abi = AbiTables.LINUX_GLIBC_X86_64;
        Map<String, String> good = probeLinesFor(abi, Errno.LINUX);
        // The table's own values pass.
        assertMatches(abi, new Probe("glibc", good, "synthetic"), Errno.LINUX, Set.of());

        Map<String, String> bad = new LinkedHashMap<>(good);
        bad.put("aiocb.aio_offset", "120");
        bad.put("O_DSYNC", "4097");
        bad.put("SIGEV_KEVENT", "3");
        bad.put("errno.ECANCELED", "85");
        bad.remove("LIO_NOP");
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(
                () -> assertMatches(abi, new Probe("glibc", bad, "synthetic"), Errno.LINUX, Set.of()));
        assertThat(t).isInstanceOf(AssertionError.class);
        assertThat(t.getMessage())
                .contains("aiocb.aio_offset: C 120, Java 128")
                .contains("O_DSYNC: C 4097, Java 4096")
                .contains("SIGEV_KEVENT: C 3, Java absent")
                .contains("errno.ECANCELED: C 85, Java 125")
                .contains("LIO_NOP: abi_probe.c does not print it (Java 2)");

        // A constant older headers may lack is tolerated only when absent, never when different.
        Map<String, String> old = new LinkedHashMap<>(good);
        old.put("RWF_NOWAIT", "absent");
        assertMatches(abi, new Probe("musl", old, "synthetic"), Errno.LINUX, Set.of("RWF_NOWAIT"));
        old.put("RWF_NOWAIT", "16");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() ->
                        assertMatches(abi, new Probe("musl", old, "synthetic"), Errno.LINUX, Set.of("RWF_NOWAIT"))))
                .hasMessageContaining("RWF_NOWAIT: C 16, Java 8");
    }

    /** What a correct probe would print for a table (the inverse of {@link #assertMatches}). */
    private static Map<String, String> probeLinesFor(AioAbi abi, int errnoFamily) {
        Map<String, String> m = new LinkedHashMap<>();
        int[] v = {
            abi.aiocb.size(),
            abi.aiocb.fildes(),
            abi.aiocb.lioOpcode(),
            abi.aiocb.reqprio(),
            abi.aiocb.buf(),
            abi.aiocb.nbytes(),
            abi.aiocb.sigevent(),
            abi.aiocb.offset(),
            abi.sigevent.size(),
            abi.sigevent.value(),
            abi.sigevent.signo(),
            abi.sigevent.notifyField(),
            abi.sigevent.notifyFunction(),
            abi.sigevent.notifyAttributes(),
            abi.sigevent.notifyKqueue(),
            abi.sigevent.keventFlags(),
            abi.sizeofTimespec,
            abi.sizeofSemT,
            abi.sizeofSigset,
            abi.sizeofAioinit,
            abi.sizeofIovec
        };
        String[] k = {
            "aiocb.size",
            "aiocb.aio_fildes",
            "aiocb.aio_lio_opcode",
            "aiocb.aio_reqprio",
            "aiocb.aio_buf",
            "aiocb.aio_nbytes",
            "aiocb.aio_sigevent",
            "aiocb.aio_offset",
            "sigevent.size",
            "sigevent.sigev_value",
            "sigevent.sigev_signo",
            "sigevent.sigev_notify",
            "sigevent.sigev_notify_function",
            "sigevent.sigev_notify_attributes",
            "sigevent.sigev_notify_kqueue",
            "sigevent.sigev_notify_kevent_flags",
            "sizeof.timespec",
            "sizeof.sem_t",
            "sizeof.sigset_t",
            "sizeof.aioinit",
            "sizeof.iovec"
        };
        for (int i = 0; i < k.length; i++) m.put(k[i], Integer.toString(v[i]));
        for (AioAbi t : AbiTables.ALL) {
            for (String name : t.constants().keySet()) {
                Integer value = abi.constants().get(name);
                m.put(name, value == null ? "absent" : value.toString());
            }
        }
        for (Errno e : Errno.values()) m.put("errno." + e.name(), Integer.toString(e.valueFor(errnoFamily)));
        return m;
    }

    /**
     * Every field of the table against the probe; all differences are reported at once, one line each.
     *
     * @param mayBeAbsentInC constants that older headers of this C library may lack (still compared when present)
     */
    static void assertMatches(AioAbi abi, Probe probe, int errnoFamily, Set<String> mayBeAbsentInC) {
        List<String> diffs = new ArrayList<>();
        Map<String, String> c = new LinkedHashMap<>(probe.values());

        Map<String, ToIntFunction<AioAbi>> layout = new LinkedHashMap<>();
        layout.put("aiocb.size", a -> a.aiocb.size());
        layout.put("aiocb.aio_fildes", a -> a.aiocb.fildes());
        layout.put("aiocb.aio_lio_opcode", a -> a.aiocb.lioOpcode());
        layout.put("aiocb.aio_reqprio", a -> a.aiocb.reqprio());
        layout.put("aiocb.aio_buf", a -> a.aiocb.buf());
        layout.put("aiocb.aio_nbytes", a -> a.aiocb.nbytes());
        layout.put("aiocb.aio_sigevent", a -> a.aiocb.sigevent());
        layout.put("aiocb.aio_offset", a -> a.aiocb.offset());
        layout.put("sigevent.size", a -> a.sigevent.size());
        layout.put("sigevent.sigev_value", a -> a.sigevent.value());
        layout.put("sigevent.sigev_signo", a -> a.sigevent.signo());
        layout.put("sigevent.sigev_notify", a -> a.sigevent.notifyField());
        layout.put("sigevent.sigev_notify_function", a -> a.sigevent.notifyFunction());
        layout.put("sigevent.sigev_notify_attributes", a -> a.sigevent.notifyAttributes());
        layout.put("sigevent.sigev_notify_kqueue", a -> a.sigevent.notifyKqueue());
        layout.put("sigevent.sigev_notify_kevent_flags", a -> a.sigevent.keventFlags());
        layout.put("sizeof.timespec", a -> a.sizeofTimespec);
        layout.put("sizeof.sem_t", a -> a.sizeofSemT);
        layout.put("sizeof.sigset_t", a -> a.sizeofSigset);
        layout.put("sizeof.aioinit", a -> a.sizeofAioinit);
        layout.put("sizeof.iovec", a -> a.sizeofIovec);
        layout.forEach((name, getter) -> {
            String cv = c.remove(name);
            int jv = getter.applyAsInt(abi);
            if (cv == null) diffs.add(name + ": abi_probe.c printed nothing (Java " + jv + ")");
            else if (!cv.equals(Integer.toString(jv))) diffs.add(name + ": C " + cv + ", Java " + jv);
        });

        for (Errno e : Errno.values()) {
            String name = "errno." + e.name();
            String cv = c.remove(name);
            int jv = e.valueFor(errnoFamily);
            if (cv == null) diffs.add(name + ": abi_probe.c does not print it (add E(" + e.name() + ") there)");
            else if (!cv.equals(Integer.toString(jv))) diffs.add(name + ": C " + cv + ", Java " + jv);
        }
        for (String name : List.copyOf(c.keySet())) {
            if (name.startsWith("errno.")) diffs.add(name + ": printed by the probe but not in Errno");
        }

        // Every constant any table knows must be printed by the probe, so that a new one cannot go unchecked.
        Set<String> names = new LinkedHashSet<>();
        for (AioAbi t : AbiTables.ALL) names.addAll(t.constants().keySet());
        names.addAll(c.keySet());
        for (String name : names) {
            String cv = c.get(name);
            Integer jv = abi.constants().get(name);
            String js = jv == null ? "absent" : Integer.toString(jv);
            if (cv == null) {
                diffs.add(name + ": abi_probe.c does not print it (Java " + js + ")");
            } else if (!cv.equals(js)) {
                if (cv.equals("absent") && mayBeAbsentInC.contains(name)) {
                    System.out.println("[AbiMatchesCTest] " + abi + ": " + name + " = " + js + " in Java; these "
                            + probe.compiler() + " headers are too old to define it");
                } else {
                    diffs.add(name + ": C " + cv + ", Java " + js);
                }
            }
        }
        assertThat(diffs)
                .as(
                        "AioAbi table %s differs from what %s says on this machine (fix AbiTables or abi_probe.c):\n  %s",
                        abi, probe.compiler(), String.join("\n  ", diffs))
                .isEmpty();
    }

    static Probe compileAndRun(Path dir, List<String> compiler, String exe) throws Exception {
        return compileAndRun(dir, compiler, exe, null);
    }

    /** Compiles the probe with {@code compiler} and runs it, through {@code emulator} when not null. */
    static Probe compileAndRun(Path dir, List<String> compiler, String exe, String emulator) throws Exception {
        Path src = dir.resolve("abi_probe.c");
        try (InputStream in = AbiMatchesCTest.class.getResourceAsStream("/abi/abi_probe.c")) {
            assertThat(in).as("test resource /abi/abi_probe.c").isNotNull();
            Files.copy(in, src, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path bin = dir.resolve(exe);
        List<String> cmd = new ArrayList<>(compiler);
        cmd.addAll(List.of("-o", bin.toString(), src.toString()));
        String compileOut = run(cmd, dir);
        String out = run(emulator == null ? List.of(bin.toString()) : List.of(emulator, bin.toString()), dir);
        Map<String, String> values = new LinkedHashMap<>();
        String libc = null;
        for (String line : out.split("\n")) {
            if (line.isBlank()) continue;
            String[] parts = line.trim().split(" ");
            if (parts.length != 2) fail("abi_probe printed an unexpected line: '" + line + "'");
            if (parts[0].equals("libc")) libc = parts[1];
            else if (values.put(parts[0], parts[1]) != null) fail("abi_probe printed " + parts[0] + " twice");
        }
        assertThat(libc)
                .as("abi_probe's libc line; compiler said: %s", compileOut)
                .isNotNull();
        return new Probe(libc, values, String.join(" ", compiler));
    }

    static String run(List<String> cmd, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        byte[] bytes;
        try (InputStream in = p.getInputStream()) {
            bytes = in.readAllBytes();
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish in 120 s");
        }
        String out = new String(bytes, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) fail(String.join(" ", cmd) + " exited with " + p.exitValue() + ":\n" + out);
        return out;
    }

    static Path onPath(String... names) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String name : names) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                if (d.isEmpty()) continue;
                Path p = Path.of(d, name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
            }
        }
        return null;
    }
}
