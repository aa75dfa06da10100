package org.aio4j.spring.boot;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.aio4j.engine.AioEngine;
import org.aio4j.webflux.AioFileRouter;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * In a reactive web application, when {@code aio4j.files.root} is set: the {@link AioFileRouter} over that directory
 * ({@link AioFilesProperties}), on the {@link AioEngine} bean (the shared engine if there is none), under {@code
 * aio4j.files.base-path}, read-only unless {@code aio4j.files.writable=true}. A writable router without {@code
 * aio4j.files.token} on a server not bound to a loopback {@code server.address} fails the start.
 */
@AutoConfiguration(after = AioEngineAutoConfiguration.class)
@ConditionalOnClass({AioFileRouter.class, RouterFunction.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnProperty(prefix = "aio4j.files", name = "root")
@EnableConfigurationProperties(AioFilesProperties.class)
public class AioFilesAutoConfiguration {
    /** Creates the auto-configuration (Spring does). */
    public AioFilesAutoConfiguration() {}

    /**
     * The file router.
     *
     * @param properties the {@code aio4j.files.*} settings
     * @param engine the engine bean, if any
     * @param environment for {@code server.address}
     * @return the router, which WebFlux mounts
     * @throws IllegalStateException for a writable router without a token on a non-loopback address
     */
    @Bean(name = "aio4jFileRouter")
    @ConditionalOnMissingBean(name = "aio4jFileRouter")
    public RouterFunction<ServerResponse> aio4jFileRouter(
            AioFilesProperties properties, ObjectProvider<AioEngine> engine, Environment environment) {
        String token = properties.getToken() == null || properties.getToken().isBlank() ? null : properties.getToken();
        String address = environment.getProperty("server.address");
        if (properties.isWritable() && token == null && !isLoopback(address)) {
            throw new IllegalStateException("aio4j.files: refusing to serve writable on "
                    + (address == null ? "all interfaces" : address)
                    + " without a token: set aio4j.files.token or bind to 127.0.0.1 (server.address)");
        }
        String copyPath = properties.getCopyPath();
        return AioFileRouter.builder(properties.getRoot())
                .engine(engine.getIfUnique())
                .filesPath(properties.getBasePath())
                .copyPath(copyPath == null || copyPath.isBlank() ? null : copyPath)
                .writable(properties.isWritable())
                .token(token)
                .maxUploadSize(properties.getMaxUploadSize().toBytes())
                .bufferSize(Math.toIntExact(properties.getBufferSize().toBytes()))
                .maxInFlight(properties.getMaxInFlight())
                .uploadIdleTimeout(properties.getUploadIdleTimeout())
                .uploadTimeout(properties.getUploadTimeout())
                .build();
    }

    /**
     * Whether {@code address} (an IP literal or a host name, resolved) is a loopback address; null or blank (all
     * interfaces) and names that do not resolve are not.
     *
     * @param address a bind address, or null
     * @return true only for loopback addresses
     */
    public static boolean isLoopback(String address) {
        if (address == null || address.isBlank()) return false;
        try {
            for (InetAddress a : InetAddress.getAllByName(address.strip())) {
                if (!a.isLoopbackAddress()) return false;
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
