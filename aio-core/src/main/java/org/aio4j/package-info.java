/**
 * The safe POSIX AIO API, mirroring nix's {@code sys/aio}: operations ({@link org.aio4j.AioRead}, {@link
 * org.aio4j.AioWrite}, {@link org.aio4j.AioFsync}, {@link org.aio4j.AioReadv}, {@link org.aio4j.AioWritev}) over an
 * {@link org.aio4j.AioFile}, submitted, waited for and cancelled with {@link org.aio4j.PosixAio}, notified as {@link
 * org.aio4j.SigevNotify} says, failing with typed {@link org.aio4j.AioException}s. See {@code docs/errors.md} for the
 * errno of each operation and its exception. The completion engine is in {@link org.aio4j.engine}.
 */
package org.aio4j;
