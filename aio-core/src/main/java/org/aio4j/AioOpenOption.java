package org.aio4j;

import java.nio.file.OpenOption;

/** Open options of aio4j beyond {@link java.nio.file.StandardOpenOption}. */
public enum AioOpenOption implements OpenOption {
    /**
     * {@code O_DIRECT}: bypass the page cache. Buffers, offsets and lengths must then be aligned to the device's
     * logical block size (4096 is safe); the kernel answers misaligned requests with EINVAL. Refused at open where
     * the OS has no O_DIRECT (macOS).
     */
    DIRECT
}
