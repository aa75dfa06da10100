package org.aio4j.reactor.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.aio4j.AioException;
import org.aio4j.PathErrors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * {@link AioDataBufferUtils} and Spring's {@link DataBufferUtils} side by side on the same bad inputs: the same
 * exception type, at the same time (on subscription, before any demand, never when the publisher is assembled),
 * and aio4j's carries the errno ({@link AioException#errnoOf}).
 */
class SpringParityErrorsTest {
    @TempDir
    Path dir;

    final DataBufferFactory factory = DefaultDataBufferFactory.sharedInstance;

    private Flux<DataBuffer> oneBuffer() {
        return Flux.defer(() -> Flux.just(factory.wrap(new byte[] {1, 2, 3})));
    }

    /** The error of a publisher made by {@code assemble} (which must not throw), signalled with no demand. */
    private static Throwable errorOnSubscription(Supplier<Publisher<?>> assemble) {
        Publisher<?> p = assemble.get(); // assembly opens nothing and throws nothing
        AtomicReference<Throwable> error = new AtomicReference<>();
        StepVerifier.create(p, 0).expectErrorSatisfies(error::set).verify(Duration.ofSeconds(10));
        return error.get();
    }

    /** The error of {@code p} once one item is requested. */
    private static Throwable errorOnRequest(Publisher<?> p) {
        AtomicReference<Throwable> error = new AtomicReference<>();
        StepVerifier.create(p, 1).expectErrorSatisfies(error::set).verify(Duration.ofSeconds(10));
        return error.get();
    }

    private static void sameType(Throwable spring, Throwable aio, String errno, Path path) {
        assertThat(aio).isExactlyInstanceOf(spring.getClass());
        PathErrors.assertPathError(aio, errno, path);
    }

    @Test
    void readOfAMissingFile() {
        Path missing = dir.resolve("missing");
        Throwable spring = errorOnSubscription(() -> DataBufferUtils.read(missing, factory, 4096));
        Throwable aio = errorOnSubscription(() -> AioDataBufferUtils.read(missing, factory, 4096));
        assertThat(spring).isInstanceOf(java.nio.file.NoSuchFileException.class);
        sameType(spring, aio, "ENOENT", missing);
    }

    @Test
    void readInAMissingDirectory() {
        Path missing = dir.resolve("no/such/file");
        Throwable spring = errorOnSubscription(() -> DataBufferUtils.read(missing, factory, 4096));
        Throwable aio = errorOnSubscription(() -> AioDataBufferUtils.read(missing, factory, 4096));
        sameType(spring, aio, "ENOENT", missing);
    }

    @Test
    void readThroughAFileAsADirectory() throws IOException {
        Path file = Files.write(dir.resolve("file"), new byte[1]);
        Path below = file.resolve("x");
        Throwable spring = errorOnSubscription(() -> DataBufferUtils.read(below, factory, 4096));
        Throwable aio = errorOnSubscription(() -> AioDataBufferUtils.read(below, factory, 4096));
        // the JDK makes ENOTDIR a FileSystemException with the reason "Not a directory", aio4j NotDirectoryException
        assertThat(spring).isInstanceOf(java.nio.file.FileSystemException.class);
        assertThat(aio).isInstanceOf(spring.getClass());
        PathErrors.assertPathError(aio, "ENOTDIR", below);
    }

    /**
     * Reading a directory: Linux opens it, so Spring fails at the first read with a plain {@link IOException} ("Is
     * a directory"), once there is demand; aio4j refuses it when opening, on subscription with no demand, with a
     * {@link java.nio.file.FileSystemException} (an {@code IOException}) that names the path. The one difference.
     */
    @Test
    void readOfADirectory() {
        Throwable spring = errorOnRequest(DataBufferUtils.read(dir, factory, 4096));
        Throwable aio = errorOnSubscription(() -> AioDataBufferUtils.read(dir, factory, 4096));
        assertThat(spring).isInstanceOf(IOException.class);
        assertThat(aio).isInstanceOf(IOException.class);
        PathErrors.assertPathError(aio, "EISDIR", dir);
    }

    @Test
    void writeWithCreateNewOntoAnExistingFile() throws IOException {
        Path existing = Files.write(dir.resolve("existing"), new byte[1]);
        Throwable spring = errorOnSubscription(() ->
                DataBufferUtils.write(oneBuffer(), existing, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW));
        Throwable aio = errorOnSubscription(() -> AioDataBufferUtils.write(
                oneBuffer(), existing, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW));
        assertThat(spring).isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
        sameType(spring, aio, "EEXIST", existing);
        assertThat(existing).hasSize(1);
    }

    @Test
    void writeInAMissingDirectory() {
        Path target = dir.resolve("no/such/file");
        Throwable spring = errorOnSubscription(() -> DataBufferUtils.write(oneBuffer(), target));
        Throwable aio = errorOnSubscription(() -> AioDataBufferUtils.write(oneBuffer(), target));
        assertThat(spring).isInstanceOf(java.nio.file.NoSuchFileException.class);
        sameType(spring, aio, "ENOENT", target);
    }

    @Test
    void writeOntoADirectory() {
        Throwable spring = errorOnSubscription(() -> DataBufferUtils.write(oneBuffer(), dir));
        Throwable aio = errorOnSubscription(() -> AioDataBufferUtils.write(oneBuffer(), dir));
        assertThat(spring).isInstanceOf(java.nio.file.FileSystemException.class);
        sameType(spring, aio, "EISDIR", dir);
    }

    @Test
    void writeWithoutCreateOfAMissingFile() {
        Path missing = dir.resolve("missing");
        Throwable spring =
                errorOnSubscription(() -> DataBufferUtils.write(oneBuffer(), missing, StandardOpenOption.WRITE));
        Throwable aio =
                errorOnSubscription(() -> AioDataBufferUtils.write(oneBuffer(), missing, StandardOpenOption.WRITE));
        sameType(spring, aio, "ENOENT", missing);
    }

    /** Needs a user the permission bits apply to: skipped as root (root passes them). */
    @Test
    void readAndWriteWithoutPermission() throws IOException {
        Assumptions.assumeFalse(
                "root".equals(System.getProperty("user.name")), "root is not refused by permission bits");
        Path locked = Files.write(dir.resolve("locked"), new byte[1]);
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        Throwable spring = errorOnSubscription(() -> DataBufferUtils.read(locked, factory, 4096));
        Throwable aio = errorOnSubscription(() -> AioDataBufferUtils.read(locked, factory, 4096));
        assertThat(spring).isInstanceOf(java.nio.file.AccessDeniedException.class);
        sameType(spring, aio, "EACCES", locked);
        spring = errorOnSubscription(() -> DataBufferUtils.write(oneBuffer(), locked));
        aio = errorOnSubscription(() -> AioDataBufferUtils.write(oneBuffer(), locked));
        sameType(spring, aio, "EACCES", locked);
    }
}
