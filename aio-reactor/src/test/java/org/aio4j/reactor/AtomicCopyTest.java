package org.aio4j.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

/**
 * {@link CopyOptions#atomic(boolean)}: the target appears only complete. The soak found the defect this guards: a
 * cancelled copy's kernel step (or AIO writes already started) landed in the target after a later copy to the same
 * target had completed, so that copy compared unequal to its source ("differs at 1048576").
 */
class AtomicCopyTest {
    @TempDir
    Path dir;

    private Path file(String name, int size, long seed) throws Exception {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return Files.write(dir.resolve(name), b);
    }

    private long parts() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".part")).count();
        }
    }

    /**
     * A cancelled copy over an existing target leaves it as it was (or, when the copy had completed before the
     * cancel, the whole source): never a truncated or partly written file, whenever the cancel comes.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aCancelledCopyLeavesTheTargetAsItWas(boolean kernel) throws Exception {
        Path big = file("big", 24 << 20, 1);
        Path target = dir.resolve("target");
        byte[] original = "ORIGINAL CONTENT\n".getBytes(StandardCharsets.US_ASCII);
        CopyOptions o =
                CopyOptions.defaults().replaceExisting(true).kernelCopy(kernel).chunkSize(64 << 10);
        byte[] whole = Files.readAllBytes(big);
        Random r = new Random(2);
        int kept = 0;
        for (int round = 0; round < 20; round++) {
            Files.write(target, original);
            Disposable d = AioFiles.copy(big, target, o).subscribe(n -> {}, e -> {});
            Thread.sleep(r.nextInt(15));
            d.dispose();
            for (int i = 0; i < 10; i++) { // and while what was in flight finishes
                byte[] now = Files.readAllBytes(target);
                if (now.length != whole.length)
                    assertThat(now).as("round %d", round).isEqualTo(original);
                else assertThat(now).as("round %d", round).isEqualTo(whole);
                if (i == 9 && now.length != whole.length) kept++;
                Thread.sleep(5);
            }
        }
        assertThat(kept).as("rounds whose cancel came before the copy ended").isPositive();
        awaitNoParts();
    }

    /** The soak's sequence: cancel a big copy, at once copy a small file to the same target: it stays exact. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void whatACancelledCopyHadInFlightNeverReachesALaterCopy(boolean kernel) throws Exception {
        Path big = file("big", 24 << 20, 3);
        Path small = file("small", 1 << 20, 4);
        Path target = dir.resolve("target");
        CopyOptions o =
                CopyOptions.defaults().replaceExisting(true).kernelCopy(kernel).chunkSize(1 << 20);
        Random r = new Random(5);
        for (int round = 0; round < 20; round++) {
            Disposable d = AioFiles.copy(big, target, o).subscribe(n -> {}, e -> {});
            Thread.sleep(r.nextInt(10));
            d.dispose();
            assertThat(AioFiles.copy(small, target, o).block(Duration.ofSeconds(30)))
                    .isEqualTo(1 << 20);
            Thread.sleep(20); // the cancelled copy's step or writes end meanwhile
            assertThat(AioFiles.mismatch(small, target).block(Duration.ofSeconds(30)))
                    .as("round %d", round)
                    .isEqualTo(-1L);
        }
        awaitNoParts();
    }

    @Test
    void anExistingTargetWithoutReplaceFailsBeforeAnythingIsCopied() throws Exception {
        Path src = file("src", 1 << 20, 6);
        Path target = Files.writeString(dir.resolve("target"), "keep");
        StepVerifier.create(AioFiles.copy(src, target, CopyOptions.defaults()))
                .expectError(FileAlreadyExistsException.class)
                .verify(Duration.ofSeconds(10));
        assertThat(Files.readString(target)).isEqualTo("keep");
        assertThat(parts()).isZero();
    }

    @Test
    void aMissingSourceIsReportedFirstAndLeavesNothing() throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "keep");
        StepVerifier.create(AioFiles.copy(dir.resolve("nope"), target, CopyOptions.defaults()))
                .expectError(NoSuchFileException.class)
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(AioFiles.copy(
                        dir.resolve("nope"), target, CopyOptions.defaults().replaceExisting(true)))
                .expectError(NoSuchFileException.class)
                .verify(Duration.ofSeconds(10));
        assertThat(Files.readString(target)).isEqualTo("keep");
        assertThat(parts())
                .as("the temporary file is gone when the error is signalled")
                .isZero();
    }

    @Test
    void aCopyOntoItselfCopiesNothing() throws Exception {
        Path src = file("src", 100_000, 7);
        byte[] before = Files.readAllBytes(src);
        assertThat(AioFiles.copy(src, src, CopyOptions.defaults().replaceExisting(true))
                        .block(Duration.ofSeconds(10)))
                .isEqualTo(100_000L);
        assertThat(Files.readAllBytes(src)).isEqualTo(before);
        assertThat(parts()).isZero();
    }

    @Test
    void aCompleteCopyReplacesTheTargetAndLeavesNoTemporaryFile() throws Exception {
        Path src = file("src", 3 << 20, 8);
        Path target = Files.writeString(dir.resolve("target"), "old");
        assertThat(AioFiles.copy(
                                src,
                                target,
                                CopyOptions.defaults().replaceExisting(true).fsync(true))
                        .block(Duration.ofSeconds(10)))
                .isEqualTo(3L << 20);
        assertThat(Files.mismatch(src, target)).isEqualTo(-1L);
        assertThat(parts()).isZero();
    }

    private void awaitNoParts() throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (parts() > 0 && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(parts()).as("temporary files left").isZero();
    }
}
