/**
 * Test kit for aio4j pipelines: {@link org.aio4j.test.AioTestEngine} (an engine with scripted disk faults, latency
 * in virtual time and an op log), {@link org.aio4j.test.AioTestExtension} (JUnit 5: engines closed and leaks failed
 * after each test), golden-file assertions ({@link org.aio4j.test.GoldenFile}). See docs/testing.md.
 */
package org.aio4j.test;
