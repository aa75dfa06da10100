package org.aio4j.reactor.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.springframework.core.SpringVersion;
import reactor.core.publisher.Flux;

/**
 * Under {@code -Pboot-managed} (parent pom): the tests really run on the versions Spring Boot manages, not on the
 * build's pinned ones. Without the profile there is nothing to check and the test is skipped.
 */
class ManagedVersionsTest {
    @Test
    void reactorAndSpringAreTheExpectedVersions() {
        String reactor = System.getProperty("aio4j.expected.reactor", "");
        String spring = System.getProperty("aio4j.expected.spring", "");
        assumeTrue(!reactor.isEmpty() && !reactor.startsWith("$"), "not under -Pboot-managed");
        assertThat(Flux.class.getPackage().getImplementationVersion()).isEqualTo(reactor);
        assertThat(SpringVersion.getVersion()).isEqualTo(spring);
    }
}
