package org.aio4j.reactor;

/**
 * One progress sample of {@link AioFiles#copyWithProgress}: bytes written so far, the size of the source (known
 * once it is open; 0 before), the average rate since the copy started, and whether this is the final sample (the
 * last element of the stream, emitted after the target was closed).
 *
 * @param bytesDone bytes written to the target so far
 * @param totalBytes the size of the source
 * @param bytesPerSecond average throughput since the copy started
 * @param done true only for the last sample
 */
public record CopyProgress(long bytesDone, long totalBytes, double bytesPerSecond, boolean done) {
    /** {@return {@code bytesDone / totalBytes} in [0, 1]; 1 for an empty source} */
    public double fraction() {
        return totalBytes <= 0 ? (done ? 1.0 : 0.0) : Math.min(1.0, (double) bytesDone / totalBytes);
    }
}
