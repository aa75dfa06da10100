package org.aio4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operating system's own refusals, end to end through the {@code aio} command in a child JVM: a full disk (a
 * 1 MiB tmpfs mounted in a private mount namespace, so nothing outside the child sees it) and permission denied (the
 * child runs without {@code CAP_DAC_OVERRIDE}/{@code CAP_DAC_READ_SEARCH}, so root's files with mode 000 refuse it
 * too). Each must give one clear line on stderr, exit code 1, no stack trace, and no partial target left. Skipped
 * with a message where {@code unshare}/{@code mount} or {@code setpriv} are not usable (not root, no util-linux).
 */
class CliOsErrorsTest {
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
        new Random(5).nextBytes(b);
        Path src = dir.resolve("src.bin");
        Files.write(src, b);
        return src;
    }

    private static boolean works(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static void assertOneLine(Run r, String text) {
        assertThat(r.exit()).as(r.toString()).isEqualTo(AioCli.EXIT_FAILURE);
        assertThat(r.err().strip())
                .as(r.toString())
                .startsWith("aio copy: ")
                .contains(text)
                .doesNotContain("\n")
                .doesNotContain("\tat ")
                .doesNotContain("Exception");
    }

    @Test
    void noSpaceLeftOnDeviceIsOneLineAndThePartialTargetIsRemoved() throws Exception {
        Path mnt = Files.createDirectory(dir.resolve("mnt"));
        Assumptions.assumeTrue(
                works("unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs \"$1\"", "sh", mnt.toString()),
                "cannot mount a tmpfs in a private mount namespace here (needs root and util-linux unshare)");
        Path src = source(4 << 20); // 4 MiB into a 1 MiB file system
        List<String> c = new ArrayList<>(List.of(
                "unshare",
                "-m",
                "sh",
                "-c",
                "mount -t tmpfs -o size=1m tmpfs \"$1\" || exit 99; d=$1; shift; \"$@\"; rc=$?;"
                        + " echo \"LISTING [$(ls -A \"$d\")]\"; exit $rc",
                "sh",
                mnt.toString()));
        c.addAll(aio("copy", src.toString(), mnt.resolve("out.bin").toString(), "--chunk", "64k"));
        Run r = run(c);
        System.out.println(r);
        assertOneLine(r, "no space left on device: " + mnt.resolve("out.bin"));
        assertThat(r.err()).contains("(removed partial copy; " + mnt.resolve("out.bin") + " not created)");
        assertThat(r.out()).as(r.toString()).contains("LISTING []");
    }

    @Test
    void permissionDeniedIsOneLine() throws Exception {
        Assumptions.assumeTrue(
                works("setpriv", "--bounding-set", "-dac_override,-dac_read_search", "true"),
                "setpriv cannot drop capabilities here");
        Path src = source(100_000);
        Path out = dir.resolve("out.bin");
        // unreadable source
        Files.setPosixFilePermissions(src, PosixFilePermissions.fromString("---------"));
        List<String> c = new ArrayList<>(List.of("setpriv", "--bounding-set", "-dac_override,-dac_read_search"));
        c.addAll(aio("copy", src.toString(), out.toString()));
        Run r = run(c);
        System.out.println(r);
        assertOneLine(r, "permission denied: " + src);
        assertThat(out).doesNotExist();

        // target folder not writable
        Files.setPosixFilePermissions(src, PosixFilePermissions.fromString("rw-r--r--"));
        Path ro = Files.createDirectory(dir.resolve("ro"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            c = new ArrayList<>(List.of("setpriv", "--bounding-set", "-dac_override,-dac_read_search"));
            c.addAll(aio("copy", src.toString(), ro.resolve("out.bin").toString()));
            r = run(c);
            System.out.println(r);
            assertOneLine(r, "permission denied: ");
            assertThat(ro.resolve("out.bin")).doesNotExist();

            // an existing target that may not be written: refused by open(2) itself
            Path locked = dir.resolve("locked.bin");
            Files.write(locked, new byte[10]);
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r--r--r--"));
            c = new ArrayList<>(List.of("setpriv", "--bounding-set", "-dac_override,-dac_read_search"));
            c.addAll(aio("copy", src.toString(), locked.toString()));
            r = run(c);
            System.out.println(r);
            assertOneLine(r, "permission denied: " + locked);
            assertThat(Files.size(locked))
                    .as("the existing target is untouched")
                    .isEqualTo(10);
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }
}
