package org.aio4j.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Describes {@link FdTracker#pendingCloseFds()} for leak checks: which file each fd is, and its ops in flight. */
public final class PendingCloses {
    private PendingCloses() {}

    /** For example {@code "[17 -> /tmp/x/data (1 in flight)]"}; {@code "[]"} when none is pending. */
    public static String describe() {
        StringBuilder sb = new StringBuilder("[");
        for (int fd : FdTracker.pendingCloseFds()) {
            String target;
            try {
                target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            } catch (IOException | UnsupportedOperationException e) {
                target = "? (" + e + ")";
            }
            if (sb.length() > 1) sb.append(", ");
            sb.append(fd)
                    .append(" -> ")
                    .append(target)
                    .append(" (")
                    .append(FdTracker.inFlight(fd))
                    .append(" in flight)");
        }
        return sb.append(']').toString();
    }
}
