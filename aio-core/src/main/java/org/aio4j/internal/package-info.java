/**
 * The JNR-FFI binding of the C library, the per-platform struct layouts and constants ({@link
 * org.aio4j.internal.AioAbi}) and the process-wide fd bookkeeping. Not an API: public only because the other aio4j
 * modules use it; it may change in any release, has no Javadoc pages and is listed under {@code
 * Aio4j-Internal-Packages} in the jar's manifest.
 */
package org.aio4j.internal;
