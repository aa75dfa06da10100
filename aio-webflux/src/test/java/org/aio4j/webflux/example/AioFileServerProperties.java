package org.aio4j.webflux.example;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the example file server, under the prefix {@code aio.server}.
 *
 * @param root the directory served (property {@code aio.server.root}, the working directory by default)
 * @param maxUploadSize largest accepted PUT body ({@code aio.server.max-upload-size}, 1GB by default)
 * @param bufferSize size of the buffers files are read into ({@code aio.server.buffer-size}, 128KB by default)
 * @param writable whether PUT and POST /copy are served ({@code aio.server.writable}, false by default: read-only)
 * @param token the bearer token PUT and POST must carry ({@code aio.server.token}, none by default); a writable server
 *     bound beyond the loopback interface ({@code server.address}) refuses to start without one
 * @param uploadIdleTimeout how long an upload may receive nothing before it is cut with 408
 *     ({@code aio.server.upload-idle-timeout}, 30s by default)
 * @param uploadTimeout how long a whole upload may take before it is cut with 408 ({@code aio.server.upload-timeout},
 *     1h by default)
 */
@ConfigurationProperties("aio.server")
public record AioFileServerProperties(
        @DefaultValue(".") Path root,
        @DefaultValue("1GB") DataSize maxUploadSize,
        @DefaultValue("128KB") DataSize bufferSize,
        @DefaultValue("false") boolean writable,
        String token,
        @DefaultValue("30s") Duration uploadIdleTimeout,
        @DefaultValue("1h") Duration uploadTimeout) {}
