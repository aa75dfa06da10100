package org.aio4j;

import java.nio.file.Path;

/** The operation was cancelled with {@code aio_cancel} before it ran ({@code ECANCELED}): nothing was transferred. */
public final class AioCancelledException extends AioException {
    private static final long serialVersionUID = 1L;

    AioCancelledException(String operation, int errno, Path path, long position) {
        super(operation, errno, path, position);
    }
}
