package org.aio4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * {@link QuickCopyLine} against picocli: every line it reads means exactly what picocli makes of it (the same
 * options, values and paths), and it leaves to picocli every line picocli refuses, asks for help, or might read
 * otherwise. The common lines must be read (else the copy would load picocli again).
 */
class QuickCopyLineTest {
    @TempDir
    Path dir;

    /** Lines QuickCopyLine must read, the same as picocli. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "copy a b",
                "copy a b --progress none",
                "copy a b --progress=none",
                "copy --progress none a b",
                "copy a --progress NONE b",
                "copy a b --progress Plain --progress-interval 250",
                "copy a b --progress bar --progress-interval=0",
                "copy a b --progress auto",
                "copy a b --fsync --verify --keep-partial",
                "copy a b --no-kernel-copy --chunk 4k --in-flight 1",
                "copy a b --kernel-copy --chunk=64KiB --in-flight=4096",
                "copy a b --chunk 1m --in-flight 0",
                "copy a b --chunk 1048576",
                "copy a b --chunk 1g",
                "copy a b --backend io_uring",
                "copy a b --backend=POSIX_AIO --debug",
                "copy a b --debug --progress none",
                "copy /tmp/x y=z --in-flight 10",
                "copy a.b c.d --progress-interval 999999999999"
            })
    void readsTheCommonLinesAsPicocliDoes(String line) {
        String[] args = line.split(" ");
        QuickCopyLine quick = QuickCopyLine.parse(args);
        assertThat(quick).as("read without picocli: " + line).isNotNull();
        assertSame(quick, args);
    }

    /** Lines QuickCopyLine must leave to picocli (which reads some of them, refuses others). */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "copy",
                "copy a",
                "copy a b c",
                "copy a b --help",
                "copy -h a b",
                "copy a b -V",
                "copy a b --version",
                "copy -- a b",
                "copy a -- b",
                "copy @args b",
                "copy a b --unknown",
                "copy a b --fsync --fsync",
                "copy a b --kernel-copy --no-kernel-copy",
                "copy a b --fsync=true",
                "copy a b --chunk",
                "copy a b --chunk 0",
                "copy a b --chunk -1",
                "copy a b --chunk 2047m1",
                "copy a b --chunk 3g",
                "copy a b --chunk=",
                "copy a b --in-flight 016",
                "copy a b --in-flight +5",
                "copy a b --in-flight 1e3",
                "copy a b --in-flight 99999999999",
                "copy a b --in-flight 1 --in-flight 2",
                "copy a b --progress sometimes",
                "copy a b --progress=n0ne",
                "copy a b --backend uring",
                "copy - b",
                "copy a -b",
                "copy a b --progress -x",
                "--debug copy a b",
                "cat a b c",
                "stat a b c"
            })
    void leavesTheOthersToPicocli(String line) {
        String[] args = line.split(" ");
        assertThat(QuickCopyLine.parse(args)).as(line).isNull();
    }

    /** An empty argument is left to picocli too. */
    @Test
    void leavesAnEmptyArgumentToPicocli() {
        assertThat(QuickCopyLine.parse(new String[] {"copy", "", "b"})).isNull();
        assertThat(QuickCopyLine.parse(new String[] {"copy", "a", "b", "--progress", ""}))
                .isNull();
    }

    private static void assertSame(QuickCopyLine quick, String[] args) {
        CommandLine cl = AioCli.commandLine();
        ParseResult pr = cl.parseArgs(args);
        CopyCommand p = (CopyCommand) pr.subcommand().commandSpec().userObject();
        CopyCommand q = quick.command;
        String line = String.join(" ", args);
        assertThat(q.source).as(line).isEqualTo(p.source);
        assertThat(q.target).as(line).isEqualTo(p.target);
        assertThat(q.chunk).as(line).isEqualTo(p.chunk);
        assertThat(q.inFlight).as(line).isEqualTo(p.inFlight);
        assertThat(q.fsync).as(line).isEqualTo(p.fsync);
        assertThat(q.verify).as(line).isEqualTo(p.verify);
        assertThat(q.keepPartial).as(line).isEqualTo(p.keepPartial);
        assertThat(q.kernelCopy).as(line).isEqualTo(p.kernelCopy);
        assertThat(q.progress).as(line).isEqualTo(p.progress);
        assertThat(q.progressInterval).as(line).isEqualTo(p.progressInterval);
        assertThat(q.backendOption.backend).as(line).isEqualTo(p.backendOption.backend);
        boolean debug = pr.hasMatchedOption("--debug") || pr.subcommand().hasMatchedOption("--debug");
        assertThat(quick.debug).as(line).isEqualTo(debug);
    }

    /**
     * A plain copy in a child JVM ({@code -Xlog:class+load}) loads no picocli class, does not make the jnr-ffi binding
     * (no generated {@code LibC} class, no ASM) nor the shared engine (the kernel copies), and its failure reads as
     * through picocli: one line, exit 1.
     */
    @Test
    void aPlainCopyLoadsNeitherPicocliNorTheJnrBinding() throws Exception {
        Path src = Files.write(dir.resolve("tiny.bin"), new byte[4096]);
        Path log = dir.resolve("classes.txt");
        Run ok = java(log, "copy", src.toString(), dir.resolve("out.bin").toString(), "--progress", "none");
        assertThat(ok.exit).as(ok.err).isZero();
        assertThat(ok.out).startsWith("copied 4.0 KiB (4096 bytes) ");
        assertThat(Files.readAllLines(log)).as("classes loaded").hasSizeGreaterThan(500);
        assertThat(Files.readAllLines(log)).noneMatch(l -> l.contains(" picocli."));
        assertThat(Files.readAllLines(log)).noneMatch(l -> l.contains(" org.aio4j.internal.LibC$jnr"));
        assertThat(Files.readAllLines(log)).noneMatch(l -> l.contains(" org.objectweb.asm."));
        assertThat(Files.readAllLines(log)).noneMatch(l -> l.contains(" org.aio4j.engine.Reaper "));

        Run missing = java(
                log, "copy", dir.resolve("missing").toString(), dir.resolve("o").toString());
        assertThat(missing.exit).isEqualTo(1);
        assertThat(missing.err).isEqualTo("aio copy: no such file: " + dir.resolve("missing") + System.lineSeparator());
        assertThat(Files.readAllLines(log)).noneMatch(l -> l.contains(" picocli."));
    }

    private record Run(int exit, String out, String err) {}

    private static Run java(Path log, String... args) throws Exception {
        List<String> c = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info:file=" + log,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        c.addAll(List.of(args));
        Process p = new ProcessBuilder(c).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
