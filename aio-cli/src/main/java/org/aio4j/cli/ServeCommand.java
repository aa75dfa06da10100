package org.aio4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.aio4j.webflux.example.AioFileServerApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aio serve DIR}: the WebFlux file server of aio-webflux on DIR. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve DIR over HTTP (Spring WebFlux on Reactor Netty, files read and written through POSIX AIO):",
            "  GET/HEAD /files/PATH (ranges, ETag, 304), PUT /files/PATH, POST /copy?from=A&to=B.",
            "Ctrl-C stops the server."
        })
final class ServeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "The directory to serve.")
    Path root;

    @Option(
            names = {"-p", "--port"},
            defaultValue = "8080",
            paramLabel = "PORT",
            description = "TCP port (0 for any free one). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(
            names = "--max-upload",
            defaultValue = "1g",
            converter = Sizes.LongSize.class,
            paramLabel = "SIZE",
            description = "Largest accepted upload. Default: ${DEFAULT-VALUE}.")
    long maxUpload;

    @Option(names = "--read-only", description = "Serve GET/HEAD only (no PUT, no copy).")
    boolean readOnly;

    @Spec
    CommandSpec spec;

    /** The running server, for tests. */
    volatile ConfigurableApplicationContext context;

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(root)) throw new CliException("no such directory: " + root);
        if (!Files.isDirectory(root)) throw new CliException("not a directory: " + root);
        if (port < 0 || port > 65535) throw new CliException("--port must be between 0 and 65535", AioCli.EXIT_USAGE);
        CountDownLatch closed = new CountDownLatch(1);
        // The commands' quiet logging setup (AioCli.main) would make Spring Boot warn; the server logs as Boot does.
        if ("aio-cli-logback.xml".equals(System.getProperty("logback.configurationFile"))) {
            System.clearProperty("logback.configurationFile");
        }
        try {
            context = AioFileServerApplication.start(
                    root,
                    port,
                    "--spring.main.banner-mode=off",
                    "--aio.server.max-upload-size=" + maxUpload + "B",
                    "--aio.server.writable=" + !readOnly);
        } catch (RuntimeException e) {
            throw new CliException("could not start the server: " + Errors.describe(rootCause(e)));
        }
        context.addApplicationListener(event -> {
            if (event instanceof ContextClosedEvent) closed.countDown();
        });
        String actualPort = context.getEnvironment().getProperty("local.server.port", String.valueOf(port));
        spec.commandLine()
                .getOut()
                .println("aio serve: " + root.toRealPath() + " at http://localhost:" + actualPort + "/files/"
                        + (readOnly ? " (read-only)" : "") + "; Ctrl-C stops");
        spec.commandLine().getOut().flush();
        if (!context.isActive()) return AioCli.EXIT_FAILURE;
        closed.await();
        return 0;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t;
    }
}
