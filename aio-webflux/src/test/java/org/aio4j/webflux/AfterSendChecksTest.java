package org.aio4j.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

/** {@link AfterSendChecks}: checks run in one batch after the delay, a later check starts the next batch, the bound. */
class AfterSendChecksTest {
    @Test
    void checksRunTogetherAfterTheDelayAndALaterOneStartsTheNextBatch() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        AfterSendChecks checks = new AfterSendChecks(time);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 100; i++) checks.later(ran::incrementAndGet);
        time.advanceTimeBy(Duration.ofMillis(AfterSendChecks.DELAY_MS - 1));
        assertThat(ran).as("nothing before the delay").hasValue(0);
        time.advanceTimeBy(Duration.ofMillis(1));
        assertThat(ran).as("the whole batch at once").hasValue(100);
        checks.later(ran::incrementAndGet);
        time.advanceTimeBy(Duration.ofMillis(AfterSendChecks.DELAY_MS));
        assertThat(ran).as("a check after a batch is not lost").hasValue(101);
    }

    @Test
    void aFailingCheckDoesNotStopTheOthers() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        AfterSendChecks checks = new AfterSendChecks(time);
        AtomicInteger ran = new AtomicInteger();
        checks.later(() -> {
            throw new IllegalStateException("boom");
        });
        checks.later(ran::incrementAndGet);
        time.advanceTimeBy(Duration.ofMillis(AfterSendChecks.DELAY_MS));
        assertThat(ran).hasValue(1);
    }

    @Test
    void atMostMaxQueuedWaitTheRestAreDroppedAndCounted() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        AfterSendChecks checks = new AfterSendChecks(time);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < AfterSendChecks.MAX_QUEUED + 10; i++) checks.later(ran::incrementAndGet);
        assertThat(checks.dropped()).isEqualTo(10);
        time.advanceTimeBy(Duration.ofMillis(AfterSendChecks.DELAY_MS));
        assertThat(ran).hasValue(AfterSendChecks.MAX_QUEUED);
        checks.later(ran::incrementAndGet);
        time.advanceTimeBy(Duration.ofMillis(AfterSendChecks.DELAY_MS));
        assertThat(ran).as("room again after the batch").hasValue(AfterSendChecks.MAX_QUEUED + 1);
    }
}
