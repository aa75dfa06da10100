package org.aio4j.reactor.tck;

import org.aio4j.reactor.ReadOptions;

/** {@link ReadTckTest} with a read-ahead of one chunk (a ring of a single slot). */
public class ReadOneInFlightTckTest extends ReadTckTest {
    @Override
    ReadOptions options() {
        return super.options().maxInFlight(1);
    }
}
