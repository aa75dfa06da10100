package org.aio4j.test;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * JUnit 5 extension that tracks the test engines and buffer factories a test makes, closes them after the test and
 * fails the test with the leak report of {@link AioTestEngine#assertNoLeaks()} (and of each {@link
 * #bufferFactory()}).
 *
 * <pre>{@code
 * @RegisterExtension
 * static AioTestExtension aio = AioTestExtension.create();
 *
 * @Test
 * void thirdReadFails() {
 *     AioTestEngine test = aio.engine(b -> b.fail(OpType.READ, 3, "EIO"));
 *     ... AioFiles.read(path, ReadOptions.defaults().engine(test.engine())) ...
 * }   // after the test: leaks fail it, the engine is closed
 * }</pre>
 *
 * <p>When a test fails and one of its engines has a {@link AioTestEngine.Builder#random random} seed, the seed is
 * added to the failure (as a suppressed exception) so the run can be replayed. Tests of one extension instance are
 * expected to run one at a time (JUnit's default).
 */
public final class AioTestExtension implements AfterEachCallback, TestExecutionExceptionHandler {
    private final List<AioTestEngine> engines = new CopyOnWriteArrayList<>();
    /** Leak checks of the buffer factories (kept free of Spring types, so Spring stays optional). */
    private final List<Supplier<List<String>>> bufferChecks = new CopyOnWriteArrayList<>();

    private AioTestExtension() {}

    /**
     * A new extension, for a {@code @RegisterExtension} field.
     *
     * @return an extension with no engine yet
     */
    public static AioTestExtension create() {
        return new AioTestExtension();
    }

    /**
     * A test engine scripted by {@code script} (for example {@code b -> b.fail(OpType.READ, 3, "EIO")}), closed
     * and checked for leaks after the current test.
     *
     * @param script adds the rules to a fresh builder and returns it
     * @return the started engine, owned by this extension
     */
    public AioTestEngine engine(UnaryOperator<AioTestEngine.Builder> script) {
        Objects.requireNonNull(script, "script");
        AioTestEngine e = script.apply(AioTestEngine.builder()).build();
        engines.add(e);
        return e;
    }

    /**
     * A test engine without faults (every op logged), closed and checked for leaks after the current test.
     *
     * @return the started engine, owned by this extension
     */
    public AioTestEngine engine() {
        return engine(b -> b);
    }

    /**
     * A leak-tracking Spring {@code DataBufferFactory} (needs spring-core), checked after the current test: a
     * buffer it handed out and that was not released fails the test, with its allocation site.
     *
     * @return a new leak-tracking factory over heap buffers
     */
    public org.springframework.core.io.buffer.DataBufferFactory bufferFactory() {
        // Through a method typed DataBufferFactory: returning the subclass here would make the verifier load Spring
        // when this class is loaded (WithoutSpringTest)
        return LeakTrackingDataBufferFactory.checkedBy(bufferChecks);
    }

    /**
     * After each test: the leaks of every engine (checked before it is closed) and buffer factory of the test,
     * then the engines are closed.
     *
     * @throws AssertionError with the leak report, if anything leaked
     */
    @Override
    public void afterEach(ExtensionContext context) {
        List<String> reports = new ArrayList<>();
        try {
            for (AioTestEngine e : engines) {
                List<String> leaks = e.leaks(true);
                if (!leaks.isEmpty()) reports.add(e.leakReport(leaks));
            }
            for (Supplier<List<String>> check : bufferChecks) {
                List<String> leaks = check.get();
                if (!leaks.isEmpty()) {
                    reports.add("aio-test: " + leaks.size() + " DataBuffer leak(s):\n  " + String.join("\n  ", leaks));
                }
            }
        } finally {
            for (AioTestEngine e : engines) e.close();
            engines.clear();
            bufferChecks.clear();
        }
        if (!reports.isEmpty()) {
            throw new AssertionError(context.getDisplayName() + " leaked:\n" + String.join("\n", reports));
        }
    }

    /** Adds the seeds of the test's random engines to its failure, then rethrows it. */
    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        for (AioTestEngine e : engines) {
            if (e.seed().isPresent()) {
                throwable.addSuppressed(new AssertionError(
                        "aio-test: replay with random seed " + e.seed().getAsLong() + " (" + e + ")"));
            }
        }
        throw throwable;
    }
}
