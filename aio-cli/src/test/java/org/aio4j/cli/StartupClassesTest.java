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

/**
 * What {@code aio copy} and {@code aio cat} load when they start, in a child JVM ({@code -Xlog:class+load}): no Spring
 * class, no logback (their SLF4J binding is {@link StderrLogging}), and no other command (picocli only models the
 * command named). Startup time itself is measured by aio-benchmarks/cli-startup.sh, not here.
 */
class StartupClassesTest {
    @TempDir
    Path dir;

    private List<String> loadedBy(String... args) throws Exception {
        Path log = dir.resolve("classes-" + args[0] + ".txt");
        List<String> c = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info:file=" + log,
                "-cp",
                System.getProperty("java.class.path"),
                AioCli.class.getName()));
        c.addAll(List.of(args));
        Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as("nothing from SLF4J on the terminal").doesNotContain("SLF4J");
        return Files.readAllLines(log);
    }

    private static void assertNeither(List<String> classes) {
        assertThat(classes).as("classes loaded").hasSizeGreaterThan(500);
        assertThat(classes).noneMatch(l -> l.contains(" org.springframework."));
        assertThat(classes).noneMatch(l -> l.contains(" ch.qos.logback."));
        assertThat(classes).noneMatch(l -> l.contains(" org.aio4j.cli.ServeCommand"));
        assertThat(classes).noneMatch(l -> l.contains(" org.aio4j.cli.BenchCommand"));
        assertThat(classes).anyMatch(l -> l.contains(" org.aio4j.cli.StderrLogging "));
    }

    @Test
    void copyLoadsNeitherSpringNorLogbackNorTheOtherCommands() throws Exception {
        Path src = Files.write(dir.resolve("tiny.bin"), new byte[4096]);
        assertNeither(loadedBy("copy", src.toString(), dir.resolve("out.bin").toString(), "--progress", "none"));
    }

    @Test
    void catLoadsNeitherSpringNorLogbackNorTheOtherCommands() throws Exception {
        Path src = Files.writeString(dir.resolve("tiny.txt"), "hello\n");
        assertNeither(loadedBy("cat", src.toString()));
    }
}
