package org.aio4j.benchmarks;

import java.nio.file.Path;

/** The aio4j Reactor candidates (TEMPORARY: replaced once aio-reactor has AioFiles). */
final class AioCandidates {
    private AioCandidates() {}

    static long readFile(Path path, int chunk) {
        throw new UnsupportedOperationException("AioFiles not available yet");
    }

    static long copyFile(Path source, Path target, int chunk) {
        throw new UnsupportedOperationException("AioFiles not available yet");
    }
}
