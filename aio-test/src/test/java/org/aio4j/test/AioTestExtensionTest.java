package org.aio4j.test;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.suppressed;

import org.aio4j.reactor.AioFiles;
import org.aio4j.test.fixtures.LeakingFixture;
import org.aio4j.test.fixtures.OnlyUnderTestKit;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** Runs {@link LeakingFixture}'s tests, which leak on purpose, and checks the extension fails each. */
class AioTestExtensionTest {
    @Test
    void leakingTestsFailWithTheLeakNamed() {
        Events tests;
        try {
            tests = EngineTestKit.engine("junit-jupiter")
                    .selectors(selectClass(LeakingFixture.class))
                    .configurationParameter(OnlyUnderTestKit.KEY, "true")
                    .execute()
                    .testEvents();
        } finally {
            if (LeakingFixture.kept != null) AioFiles.release(LeakingFixture.kept);
        }
        tests.assertStatistics(s -> s.started(4).succeeded(1).failed(3));
        tests.assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("keepsAChunk"),
                                finishedWithFailure(
                                        instanceOf(AssertionError.class),
                                        message(m -> m.contains("keepsAChunk() leaked")
                                                && m.contains("1 AioFiles chunk(s) taken since the engine was built"
                                                        + " not released")))))
                .haveExactly(
                        1,
                        event(
                                test("keepsADataBuffer"),
                                finishedWithFailure(
                                        instanceOf(AssertionError.class),
                                        message(m -> m.contains("DataBuffer not released (3 readable bytes)")
                                                // the allocation site
                                                && m.contains("at org.aio4j.test.fixtures.LeakingFixture"
                                                        + ".keepsADataBuffer(LeakingFixture.java:")))))
                .haveExactly(
                        1,
                        event(
                                test("failsWithARandomEngine"),
                                finishedWithFailure(
                                        instanceOf(AssertionError.class),
                                        suppressed(0, message(m -> m.contains("replay with random seed 1234"))))))
                .haveExactly(1, event(test("clean"), finishedSuccessfully()));
    }
}
