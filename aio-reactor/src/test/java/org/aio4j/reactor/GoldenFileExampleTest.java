package org.aio4j.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The example of docs/reactor.md, runnable: a produced file compared with a golden one. */
class GoldenFileExampleTest {
    @TempDir
    Path dir;

    @Test
    void producedReportMatchesTheGoldenFile() {
        Path golden = TestFiles.create(dir.resolve("report.golden"), 100_000, 1);
        Path produced = dir.resolve("report.out");

        StepVerifier.create(produceReport(golden, produced).then(AioFiles.mismatch(produced, golden)))
                .expectNext(-1L)
                .verifyComplete();
    }

    @Test
    void aDifferenceIsReportedWithItsOffset() throws Exception {
        Path golden = TestFiles.create(dir.resolve("report.golden"), 100_000, 1);
        byte[] v1 = Files.readAllBytes(golden);
        v1[4096] ^= 1;
        Path older = Files.write(dir.resolve("report.v1"), v1);
        StepVerifier.create(AioFiles.mismatch(older, golden))
                .assertNext(
                        offset -> assertThat(offset).as("first differing byte").isEqualTo(4096L))
                .verifyComplete();
    }

    private Mono<Long> produceReport(Path from, Path out) {
        return AioFiles.copy(from, out, CopyOptions.defaults());
    }
}
