package org.aio4j.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import org.aio4j.PathErrors;
import org.aio4j.engine.AioEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Issue 16.2: a copy opens and checks its source before it touches the target, like {@link Files#copy}: a source
 * that cannot be read (missing, a directory) never truncates an existing target, and never leaves an empty one.
 */
class CopySourceFirstTest {
    static final int TARGET_SIZE = 12_345;

    @TempDir
    Path dir;

    TestFiles.Probe probe;

    @BeforeEach
    void before() {
        AioEngine.shared();
        probe = TestFiles.Probe.take();
    }

    @AfterEach
    void after() {
        probe.assertNoLeaks();
    }

    private Path existingTarget() {
        return TestFiles.create(dir.resolve("target"), TARGET_SIZE, 7);
    }

    private void assertUntouched(Path target) throws Exception {
        assertThat(Files.size(target)).as("target size").isEqualTo(TARGET_SIZE);
        assertThat(Arrays.equals(Files.readAllBytes(target), TestFiles.expected(TARGET_SIZE, 7)))
                .as("target content unchanged")
                .isTrue();
    }

    private static void expectError(reactor.core.publisher.Mono<Long> copy, String errno, Path path) {
        StepVerifier.create(copy)
                .expectErrorSatisfies(e -> {
                    PathErrors.assertPathError(e, errno, path);
                })
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void aMissingSourceLeavesAnExistingTargetAlone() throws Exception {
        Path missing = dir.resolve("missing");
        Path target = existingTarget();
        // the reference: Files.copy throws and leaves the target as it was
        assertThatThrownBy(() -> Files.copy(missing, target, StandardCopyOption.REPLACE_EXISTING))
                .isInstanceOf(NoSuchFileException.class);
        assertUntouched(target);
        expectError(AioFiles.copy(missing, target, CopyOptions.defaults().replaceExisting(true)), "ENOENT", missing);
        assertUntouched(target);
    }

    @Test
    void aDirectoryAsSourceLeavesAnExistingTargetAlone() throws Exception {
        Path source = Files.createDirectory(dir.resolve("a-directory"));
        Path target = existingTarget();
        expectError(AioFiles.copy(source, target, CopyOptions.defaults().replaceExisting(true)), "EISDIR", source);
        assertUntouched(target);
    }

    @Test
    void copyWithProgressOfAMissingSourceLeavesAnExistingTargetAlone() throws Exception {
        Path missing = dir.resolve("missing");
        Path target = existingTarget();
        Flux<CopyProgress> copy = AioFiles.copyWithProgress(
                missing, target, CopyOptions.defaults().replaceExisting(true));
        StepVerifier.create(copy)
                .expectErrorSatisfies(e -> PathErrors.assertPathError(e, "ENOENT"))
                .verify(Duration.ofSeconds(10));
        assertUntouched(target);
    }

    @Test
    void withoutReplaceExistingABadSourceLeavesNoEmptyTarget() throws Exception {
        Path missing = dir.resolve("missing");
        Path target = dir.resolve("new-target");
        expectError(AioFiles.copy(missing, target, CopyOptions.defaults()), "ENOENT", missing);
        assertThat(target).doesNotExist();
        Path directory = Files.createDirectory(dir.resolve("a-directory"));
        expectError(AioFiles.copy(directory, target, CopyOptions.defaults()), "EISDIR", directory);
        assertThat(target).doesNotExist();
    }

    /** The source is opened first; a target that cannot be opened still fails the copy, and closes the source. */
    @Test
    void aTargetThatCannotBeOpenedClosesTheOpenedSource() throws Exception {
        Path source = TestFiles.create(dir.resolve("source"), 100_000, 3);
        Path target = existingTarget();
        expectError(AioFiles.copy(source, target, CopyOptions.defaults()), "EEXIST", target);
        assertUntouched(target);
        Path unreachable = dir.resolve("no/such/dir/target");
        expectError(AioFiles.copy(source, unreachable, CopyOptions.defaults()), "ENOENT", unreachable);
        TestFiles.await(() -> TestFiles.openFdsUnder(dir) == 0, () -> "fds closed: " + TestFiles.fdTargets());
    }

    /** Cancelled at every moment of its start (source check, target open, first reads): nothing stays open. */
    @Test
    void cancelDuringTheStartLeavesNothingOpen() throws Exception {
        Path source = TestFiles.create(dir.resolve("source"), 300_000, 4);
        for (int i = 0; i < 300; i++) {
            Path target = dir.resolve("t" + (i % 4));
            var d = AioFiles.copy(
                            source,
                            target,
                            CopyOptions.defaults().replaceExisting(true).chunkSize(4096))
                    .subscribe();
            long until = System.nanoTime() + (i % 10) * 20_000L;
            while (System.nanoTime() < until) Thread.onSpinWait();
            d.dispose();
        }
        TestFiles.await(() -> TestFiles.openFdsUnder(dir) == 0, () -> "fds closed: " + TestFiles.fdTargets());
    }
}
