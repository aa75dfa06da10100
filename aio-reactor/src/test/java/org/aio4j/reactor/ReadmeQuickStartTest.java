package org.aio4j.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import example.QuickStart;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Using aio4j" example is the file {@code src/test/java/example/QuickStart.java} from its first
 * {@code import}: this test compiles and runs it and checks the README shows it unchanged.
 */
class ReadmeQuickStartTest {
    @Test
    void quickStartRuns(@TempDir Path dir) throws Exception {
        Path copy = dir.resolve("copy.txt");
        assertThat(QuickStart.run(dir.resolve("hello.txt"), copy)).isEqualTo(5);
        assertThat(Files.readString(copy, StandardCharsets.UTF_8)).isEqualTo("hello");
    }

    @Test
    void readmeShowsTheQuickStartVerbatim() throws Exception {
        String source = Files.readString(Path.of("src/test/java/example/QuickStart.java"), StandardCharsets.UTF_8);
        String example = source.substring(source.indexOf("import "));
        String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
        assertThat(readme).contains("```java\n" + example + "```\n");
    }
}
