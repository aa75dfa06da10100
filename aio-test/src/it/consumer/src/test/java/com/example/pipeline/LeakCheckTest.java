package com.example.pipeline;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import org.aio4j.reactor.AioFiles;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** A test that keeps a chunk fails under the extension, with the leak named. */
class LeakCheckTest {
    @Test
    void aTestThatKeepsAChunkFailsWithALeakMessage() {
        Events tests;
        try {
            tests = EngineTestKit.engine("junit-jupiter")
                    .selectors(selectClass(KeepsAChunk.class))
                    .execute()
                    .testEvents();
        } finally {
            if (KeepsAChunk.kept != null) AioFiles.release(KeepsAChunk.kept);
        }
        tests.assertStatistics(s -> s.started(1).failed(1));
        tests.assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("keepsAChunk"),
                                finishedWithFailure(
                                        instanceOf(AssertionError.class),
                                        message(m -> m.contains("keepsAChunk() leaked")
                                                && m.contains("1 AioFiles chunk(s) taken since the engine was built"
                                                        + " not released")))));
    }
}
