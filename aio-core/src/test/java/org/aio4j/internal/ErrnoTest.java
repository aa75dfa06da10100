package org.aio4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ErrnoTest {
    private static final int[] FAMILIES = {Errno.LINUX, Errno.FREEBSD, Errno.MACOS};

    @Test
    void everyNameRoundTripsOnEveryOs() {
        for (int family : FAMILIES) {
            Set<Integer> values = new HashSet<>();
            for (Errno e : Errno.values()) {
                int v = e.valueFor(family);
                assertThat(v).as("%s in family %d", e, family).isBetween(1, 255);
                assertThat(values.add(v))
                        .as("%s = %d is not unique in family %d", e, v, family)
                        .isTrue();
                assertThat(Errno.of(family, v)).as("of(%d, %d)", family, v).isSameAs(e);
            }
        }
    }

    @Test
    void thisOsRoundTripsThroughThePublicMethods() {
        for (Errno e : Errno.values()) {
            assertThat(Errno.of(e.value())).isSameAs(e);
            assertThat(Errno.name(e.value())).isEqualTo(e.name());
        }
    }

    @Test
    void unknownNumbersGetANumberedName() {
        assertThat(Errno.of(0)).isNull();
        assertThat(Errno.of(-1)).isNull();
        assertThat(Errno.of(256)).isNull();
        assertThat(Errno.of(Integer.MAX_VALUE)).isNull();
        assertThat(Errno.of(Integer.MIN_VALUE)).isNull();
        assertThat(Errno.name(321)).isEqualTo("errno 321");
        assertThat(Errno.name(0)).isEqualTo("errno 0");
        assertThat(Errno.name(-4)).isEqualTo("errno -4");
    }

    @Test
    void familiesFollowOsName() {
        assertThat(Errno.family("Linux")).isEqualTo(Errno.LINUX);
        assertThat(Errno.family("FreeBSD")).isEqualTo(Errno.FREEBSD);
        assertThat(Errno.family("Mac OS X")).isEqualTo(Errno.MACOS);
        assertThat(Errno.family("Darwin")).isEqualTo(Errno.MACOS);
        // The values aio4j branches on, per OS (from the headers cited in Errno's Javadoc).
        assertThat(Errno.EAGAIN.valueFor(Errno.LINUX)).isEqualTo(11);
        assertThat(Errno.EAGAIN.valueFor(Errno.FREEBSD)).isEqualTo(35);
        assertThat(Errno.EAGAIN.valueFor(Errno.MACOS)).isEqualTo(35);
        assertThat(Errno.ECANCELED.valueFor(Errno.LINUX)).isEqualTo(125);
        assertThat(Errno.ECANCELED.valueFor(Errno.FREEBSD)).isEqualTo(85);
        assertThat(Errno.ECANCELED.valueFor(Errno.MACOS)).isEqualTo(89);
        assertThat(Errno.EINPROGRESS.valueFor(Errno.LINUX)).isEqualTo(115);
        assertThat(Errno.EINPROGRESS.valueFor(Errno.FREEBSD)).isEqualTo(36);
    }
}
