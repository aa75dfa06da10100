package org.aio4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The packaged {@code aio.jar} prints nothing but its own output on every JDK installed under {@code /usr/lib/jvm}
 * (JDK 24+ warn about {@code sun.misc.Unsafe} and, from 22 on, about {@code System::load} unless the jar's
 * manifest enables native access). Runs after {@code package} (failsafe), on the real jar. With {@code
 * AIO4J_REQUIRE_ALL_CHECKS=true} (CI) a machine without a JDK 22 or newer fails instead of skipping.
 */
class QuietOnModernJdkIT {
    @TempDir
    Path dir;

    static Stream<Path> javas() throws IOException {
        List<Path> found = new ArrayList<>();
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> s = Files.list(jvms)) {
                s.filter(d -> !Files.isSymbolicLink(d))
                        .map(d -> d.resolve("bin/java"))
                        .filter(Files::isExecutable)
                        .sorted()
                        .forEach(found::add);
            }
        }
        found.add(Path.of(System.getProperty("java.home"), "bin", "java"));
        return found.stream().distinct();
    }

    @ParameterizedTest
    @MethodSource("javas")
    void aioPrintsNoWarning(Path java) throws Exception {
        Path jar = Path.of(System.getProperty("aio.jar", "target/aio.jar"));
        assertThat(jar).as("the shaded jar (built by package)").exists();
        Path file = dir.resolve("f.txt");
        Files.writeString(file, "hello from aio\n");
        Result cat = run(java, jar, "cat", file.toString());
        assertThat(cat.exit).as(cat.err).isZero();
        assertThat(cat.out).isEqualTo("hello from aio\n");
        assertThat(cat.err).as("stderr of aio cat on " + cat.version).isEmpty();
        Result stat = run(java, jar, "stat");
        assertThat(stat.exit).as(stat.err).isZero();
        assertThat(stat.err).as("stderr of aio stat on " + stat.version).isEmpty();
    }

    /** CI must see a modern JDK here: the point of the check is the warnings only JDK 22+ print. */
    @org.junit.jupiter.api.Test
    void aModernJdkIsChecked() throws Exception {
        boolean modern = javas().anyMatch(j -> feature(j) >= 22);
        if (!modern && "true".equalsIgnoreCase(System.getenv("AIO4J_REQUIRE_ALL_CHECKS"))) {
            throw new AssertionError("no JDK 22 or newer under /usr/lib/jvm: the native-access and Unsafe warnings"
                    + " of aio.jar cannot be checked, and AIO4J_REQUIRE_ALL_CHECKS=true forbids skipping");
        }
        Assumptions.assumeTrue(modern, "no JDK 22 or newer under /usr/lib/jvm");
    }

    private static int feature(Path java) {
        try {
            Process p = new ProcessBuilder(java.toString(), "-XshowSettings:properties", "-version")
                    .redirectErrorStream(true)
                    .start();
            String all = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            for (String line : all.split("\n")) {
                line = line.trim();
                if (line.startsWith("java.specification.version = ")) {
                    return Integer.parseInt(
                            line.substring(line.indexOf('=') + 1).trim());
                }
            }
        } catch (IOException | InterruptedException | NumberFormatException e) {
            // not a usable JVM
        }
        return -1;
    }

    private record Result(int exit, String out, String err, String version) {}

    private static Result run(Path java, Path jar, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("JAVA_TOOL_OPTIONS"); // "Picked up ..." is the JVM's, not ours
        pb.environment().remove("JDK_JAVA_OPTIONS");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out, err, java + " (feature " + feature(java) + ")");
    }
}
