package org.aio4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Spring Boot application behind {@code aio serve}: no bean of its own, only the auto-configuration of
 * aio4j-spring-boot-starter (the engine bean, closed with the context, and the file router from {@code aio4j.files.*})
 * on WebFlux and Reactor Netty.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
class ServeApplication {
    private ServeApplication() {}

    /**
     * Starts the server on {@code root} and {@code port} (0 for a free one) and returns at once; close the returned
     * context to stop it. It binds to 127.0.0.1 unless {@code --server.address} is given.
     */
    static ConfigurableApplicationContext start(Path root, int port, String... extraArgs) {
        List<String> args = new ArrayList<>();
        args.add("--aio4j.files.root=" + root.toAbsolutePath());
        args.add("--server.port=" + port);
        args.addAll(List.of(extraArgs));
        SpringApplication app = new SpringApplication(ServeApplication.class);
        app.setDefaultProperties(Map.of("server.address", "127.0.0.1"));
        return app.run(args.toArray(String[]::new));
    }
}
