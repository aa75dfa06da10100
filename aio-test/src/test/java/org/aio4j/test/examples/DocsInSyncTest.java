package org.aio4j.test.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every Java block of docs/testing.md is code of the example tests (aio-test's, and the starter's Spring Boot one),
 * so the page shows what the build runs.
 */
class DocsInSyncTest {
    @Test
    void everyJavaBlockOfTheDocsIsInTheExampleTest() throws Exception {
        String doc = Files.readString(Path.of("../docs/testing.md"));
        String code = normalize(Files.readString(
                        Path.of("src/test/java/org/aio4j/test/examples/CopyJobExampleTest.java"))
                + Files.readString(Path.of("src/test/java/org/aio4j/test/examples/DownloadEndpointExampleTest.java"))
                // the Spring Boot example is a test of the starter (which has aio-test in test scope)
                + Files.readString(Path.of("../aio4j-spring-boot-starter/src/test/java/org/aio4j/spring/boot/examples"
                        + "/FailingDiskDownloadTest.java")));
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(doc);
        while (m.find()) blocks.add(m.group(1));
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(11);
        for (String b : blocks)
            assertThat(code).as("docs block in the example test").contains(normalize(b));
    }

    private static String normalize(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }
}
