package org.aio4j.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Refusals are logged at DEBUG each and summed up at WARN at most once per interval. */
class RefusalLogTest {
    long now = 1_000;
    final List<String> warns = new ArrayList<>();
    final List<String> debugs = new ArrayList<>();
    final RefusalLog log = new RefusalLog(TimeUnit.SECONDS.toNanos(10), () -> now, warns::add, debugs::add);

    @Test
    void aFloodGivesOneWarnPerIntervalWithCounts() {
        log.refused(400, "GET /files/%00: control character");
        assertThat(warns).hasSize(1);
        assertThat(warns.get(0)).contains("refused 1 request", "{400=1}", "%00");
        for (int i = 0; i < 10_000; i++) {
            now += 100_000; // 10,000 refusals in 1 s
            log.refused(i % 2 == 0 ? 405 : 401, "PUT /files/x");
        }
        assertThat(debugs).hasSize(10_001);
        assertThat(warns).as("no WARN within the interval").hasSize(1);
        now += TimeUnit.SECONDS.toNanos(10);
        log.refused(413, "PUT /files/big");
        assertThat(warns).hasSize(2);
        assertThat(warns.get(1)).contains("refused 10001 requests in the last 11 s", "{401=5000, 405=5000, 413=1}");
        now += TimeUnit.SECONDS.toNanos(1);
        log.refused(400, "again");
        assertThat(warns).hasSize(2);
    }
}
