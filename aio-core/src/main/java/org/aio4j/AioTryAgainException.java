package org.aio4j;

import java.nio.file.Path;

/**
 * The C library had no resources to queue the request ({@code EAGAIN}); retrying later may succeed. macOS reports
 * every submission error this way.
 */
public final class AioTryAgainException extends AioException {
    private static final long serialVersionUID = 1L;

    AioTryAgainException(String operation, int errno, Path path, long position) {
        super(operation, errno, path, position);
    }
}
