package org.aio4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aio4j.internal.AioInit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's default sizing of glibc's helper pool, observed in fresh child JVMs (glibc takes the thread count only
 * before the process's first AIO request): a default engine makes glibc start {@link AioEngine#directLanes()} helper
 * threads for 30 reads blocked on 30 FIFOs, not glibc's 20; an application that called {@code PosixAio.aioInit}
 * itself keeps its own count.
 */
class EngineAioInitTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needsGlibc() {
        Assumptions.assumeTrue(AioInit.isAvailable(), "no aio_init in this C library (glibc only)");
        Assumptions.assumeTrue(Path.of("/proc/self/task").toFile().isDirectory(), "no /proc/self/task");
    }

    @Test
    void defaultEngineSizesGlibcsPoolToTheDirectLaneCount() throws Exception {
        int[] r = runChild(0);
        assertThat(r[1]).as("thread count the engine passed to aio_init").isEqualTo(12);
        // 12 helpers; a few more only if the JVM itself started threads meanwhile; glibc's default would give 20
        assertThat(r[0]).as("threads gained").isBetween(12, 15);
    }

    @Test
    void applicationsOwnAioInitWins() throws Exception {
        int[] r = runChild(4);
        assertThat(r[1]).as("the engine leaves aio_init alone").isZero();
        assertThat(r[0]).as("threads gained").isBetween(4, 7);
    }

    /** Returns {threads gained, threads the engine applied}. */
    private int[] runChild(int appThreads) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process proc = new ProcessBuilder(
                        javaBin,
                        "-XX:-UseDynamicNumberOfCompilerThreads",
                        "-cp",
                        System.getProperty("java.class.path"),
                        EngineChild.class.getName(),
                        "helpers",
                        dir.toString(),
                        String.valueOf(appThreads))
                .redirectErrorStream(true)
                .start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(proc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(proc.exitValue()).as(out).isZero();
        Matcher m = Pattern.compile("GAINED (\\d+) APPLIED (\\d+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }
}
