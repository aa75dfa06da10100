package org.aio4j.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16.3: running out of direct memory while a chunk is acquired ({@code OutOfMemoryError} from {@code
 * ByteBuffer.allocateDirect}) must end the stream with that error, close its file and give every chunk back;
 * it used to escape the drain loop with the work-in-progress counter raised, so the stream hung for good (the fd
 * open even after a cancel, a chunk outstanding). Each case runs in a JVM of its own with {@code
 * -XX:MaxDirectMemorySize=64m} ({@link DirectMemoryChild}).
 */
class DirectMemoryExhaustionTest {
    @TempDir
    Path dir;

    @Test
    void aReadOfChunksLargerThanDirectMemoryFailsWithTheErrorAndCleansUp() throws Exception {
        assertThat(runChild("read")).isEqualTo("signal=java.lang.OutOfMemoryError fds=0 chunks=0");
    }

    @Test
    void aWriteOfHeapBuffersLargerThanDirectMemoryFailsWithTheErrorAndCleansUp() throws Exception {
        assertThat(runChild("write")).isEqualTo("signal=java.lang.OutOfMemoryError fds=0 chunks=0");
    }

    private String runChild(String what) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process proc = new ProcessBuilder(
                        javaBin,
                        "-XX:MaxDirectMemorySize=64m",
                        "-Xmx512m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        DirectMemoryChild.class.getName(),
                        what,
                        dir.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(proc.waitFor(300, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(proc.exitValue()).as(out).isZero();
        Matcher m = Pattern.compile("RESULT " + what + " (.*)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return m.group(1).trim();
    }
}
