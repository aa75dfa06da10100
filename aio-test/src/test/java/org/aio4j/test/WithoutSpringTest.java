package org.aio4j.test;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** Spring is optional: the kit's classes that users without Spring touch must load and run without it. */
class WithoutSpringTest {
    @Test
    void theKitRunsWithoutSpring() throws Exception {
        ClassLoader parent = getClass().getClassLoader();
        // the kit's classes defined again in a loader that hides Spring; everything else (aio-core's native
        // binding included) is shared with the test's loader
        ClassLoader noSpring = new ClassLoader("no-spring", parent) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                synchronized (getClassLoadingLock(name)) {
                    if (name.startsWith("org.springframework.")) throw new ClassNotFoundException(name);
                    if (!name.startsWith("org.aio4j.test.")) return super.loadClass(name, resolve);
                    Class<?> c = findLoadedClass(name);
                    if (c != null) return c;
                    try (InputStream in = parent.getResourceAsStream(name.replace('.', '/') + ".class")) {
                        if (in == null) throw new ClassNotFoundException(name);
                        byte[] b = in.readAllBytes();
                        return defineClass(name, b, 0, b.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
            }
        };
        Runnable user = (Runnable) noSpring.loadClass(NoSpringUser.class.getName())
                .getConstructor()
                .newInstance();
        user.run();
    }
}
