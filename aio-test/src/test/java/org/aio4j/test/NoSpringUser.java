package org.aio4j.test;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.ReadOptions;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A user of the kit, run by {@link WithoutSpringTest} in a class loader that has no Spring. */
public final class NoSpringUser implements Runnable {
    /** For the test's reflection. */
    public NoSpringUser() {}

    @Override
    public void run() {
        try {
            Class.forName("org.springframework.core.io.buffer.DataBuffer");
            throw new AssertionError("Spring is visible");
        } catch (ClassNotFoundException expected) {
            // as for a user without Spring
        }
        try {
            Path f = Files.createTempFile("aio-test", ".bin");
            try {
                Files.write(f, new byte[8192]);
                AioTestExtension aio = AioTestExtension.create();
                AioTestEngine t = aio.engine(b -> b.fail(OpType.READ, 2, "EIO"));
                try {
                    AioFiles.read(f, ReadOptions.defaults().chunkSize(4096).engine(t.engine()))
                            .doOnNext(AioFiles::release)
                            .blockLast(Duration.ofSeconds(10));
                    throw new IllegalStateException("no EIO");
                } catch (RuntimeException e) {
                    if (!String.valueOf(e.getCause()).contains("EIO")) throw e;
                }
                ExtensionContext context = (ExtensionContext) Proxy.newProxyInstance(
                        getClass().getClassLoader(),
                        new Class<?>[] {ExtensionContext.class},
                        (p, m, a) -> m.getName().equals("getDisplayName") ? "user" : null);
                aio.afterEach(context); // no leak: passes, and closes the engine
                if (!t.engine().isTerminated() && !t.engine().awaitTermination(Duration.ofSeconds(10))) {
                    throw new AssertionError("engine not closed");
                }
            } finally {
                Files.deleteIfExists(f);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
