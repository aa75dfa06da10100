package org.aio4j.reactor.tck;

import org.aio4j.reactor.ReadOptions;
import reactor.core.scheduler.Schedulers;

/** {@link ReadTckTest} with a signal scheduler: every signal runs on one worker of {@code Schedulers.parallel()}. */
public class ReadOnSchedulerTckTest extends ReadTckTest {
    @Override
    ReadOptions options() {
        return super.options().scheduler(Schedulers.parallel()).maxInFlight(2);
    }
}
