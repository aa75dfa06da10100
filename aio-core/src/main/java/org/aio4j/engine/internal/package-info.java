/**
 * Engine internals, not API: the {@link org.aio4j.engine.internal.Backend} SPI between the engine's registry and
 * the mechanism that moves bytes, its POSIX AIO implementation with one {@link org.aio4j.engine.internal.Waiter}
 * per notification mode, the {@link org.aio4j.engine.internal.Posix} call surface (faked in tests) and lock-free int
 * structures.
 */
package org.aio4j.engine.internal;
