package org.aio4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, item 3, through the {@code aio} command in a child JVM: the file size limit ({@code prlimit --fsize}:
 * EFBIG), a directory as source or target (EISDIR), and an unreadable fd kind ({@code /dev/full} as target:
 * ENOSPC). Each is one line on stderr, exit code 1, and no partial target under its name.
 */
class CliRealFaultsTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    private static Run run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private static List<String> aio(String... args) {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.add("-cp");
        c.add(System.getProperty("java.class.path"));
        c.add(AioCli.class.getName());
        c.addAll(List.of(args));
        return c;
    }

    private Path source(int size) throws Exception {
        byte[] b = new byte[size];
        new Random(9).nextBytes(b);
        return Files.write(dir.resolve("src.bin"), b);
    }

    private static void assertOneLine(Run r, String text) {
        assertThat(r.exit()).as(r.toString()).isEqualTo(AioCli.EXIT_FAILURE);
        assertThat(r.err().strip())
                .as(r.toString())
                .startsWith("aio copy: ")
                .contains(text)
                .doesNotContain("\n")
                .doesNotContain("\tat ");
    }

    @Test
    void theFileSizeLimitIsOneLineAndThePartialTargetIsRemoved() throws Exception {
        Path src = source(3 << 20);
        Path out = dir.resolve("out.bin");
        List<String> c = new ArrayList<>(List.of("prlimit", "--fsize=1048576"));
        c.addAll(aio("copy", src.toString(), out.toString(), "--chunk", "64k"));
        Run r = run(c);
        System.out.println(r);
        assertOneLine(r, out.toString());
        assertThat(r.err().toLowerCase(java.util.Locale.ROOT)).contains("too large");
        assertThat(out).doesNotExist();
        assertThat(CopyCancelTest.temps(out)).as("temporary files left").isEmpty();
    }

    @Test
    void theFileSizeLimitLeavesAnExistingDestinationByteForByte() throws Exception {
        Path src = source(3 << 20);
        Path out = dir.resolve("out.bin");
        byte[] before = new byte[200_000];
        new Random(3).nextBytes(before);
        Files.write(out, before);
        for (String mode : new String[] {"--kernel-copy", "--no-kernel-copy"}) {
            List<String> c = new ArrayList<>(List.of("prlimit", "--fsize=1048576"));
            c.addAll(aio("copy", src.toString(), out.toString(), "--chunk", "64k", mode));
            Run r = run(c);
            System.out.println(r);
            assertOneLine(r, "file too large: " + out);
            assertThat(r.err()).contains("(removed partial copy; " + out + " unchanged)");
            assertThat(Files.readAllBytes(out)).as(mode).isEqualTo(before);
            assertThat(CopyCancelTest.temps(out)).as("temporary files left").isEmpty();
        }
    }

    @Test
    void directoriesAreRefusedInOneLine() throws Exception {
        Path src = source(1000);
        Path d = Files.createDirectory(dir.resolve("d"));
        assertOneLine(run(aio("copy", d.toString(), dir.resolve("x").toString())), "directory");
        assertOneLine(run(aio("copy", src.toString(), d.toString())), "directory");
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void aDeviceThatIsFullIsOneLine() throws Exception {
        Path src = source(100_000);
        Run r = run(aio("copy", src.toString(), "/dev/full"));
        System.out.println(r);
        assertThat(r.exit()).as(r.toString()).isEqualTo(AioCli.EXIT_FAILURE);
        assertThat(r.err()).doesNotContain("\tat ");
    }
}
