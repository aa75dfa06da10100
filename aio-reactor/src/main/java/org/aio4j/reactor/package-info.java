/**
 * Project Reactor publishers over the aio4j completion engine: {@link org.aio4j.reactor.AioFiles} (read, write,
 * copy, mismatch, open) and {@link org.aio4j.reactor.ReactiveAioFile}. See {@code docs/reactor.md} for the release
 * rule of emitted chunks, threads, cancel and error semantics.
 */
package org.aio4j.reactor;
