package org.aio4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.aio4j.engine.EngineBackend;
import org.aio4j.spring.boot.AioFilesAutoConfiguration;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aio serve DIR}: the file router of aio-webflux on DIR, through aio4j-spring-boot-starter ({@link ServeApplication}). */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve DIR over HTTP (Spring WebFlux on Reactor Netty, files read and written through POSIX AIO):",
            "  GET/HEAD /files/PATH (ranges, ETag, 304); with --writable also PUT /files/PATH, POST /copy?from=A&to=B.",
            "Listens on 127.0.0.1 unless --bind; --writable beyond loopback needs --token.",
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

    @Option(
            names = "--writable",
            description = "Serve PUT and POST /copy too. Without it the server is read-only (PUT and POST: 405).")
    boolean writable;

    @Option(names = "--read-only", hidden = true, description = "The default; kept for old scripts.")
    boolean readOnly;

    @Option(
            names = "--bind",
            defaultValue = "127.0.0.1",
            paramLabel = "ADDRESS",
            description = "Address to listen on (0.0.0.0 or :: for all interfaces). Default: ${DEFAULT-VALUE}.")
    String bind;

    @Option(
            names = "--token",
            defaultValue = "${env:AIO_SERVE_TOKEN}",
            paramLabel = "TOKEN",
            description = {
                "Bearer token PUT and POST must carry (Authorization: Bearer TOKEN); default: $AIO_SERVE_TOKEN.",
                "Required with --writable on a non-loopback --bind."
            })
    String token;

    @Option(
            names = "--upload-idle-timeout",
            defaultValue = "30s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description =
                    "An upload receiving nothing this long is cut with 408 (500ms, 30s, 2m). Default: ${DEFAULT-VALUE}.")
    Duration uploadIdleTimeout;

    @Option(
            names = "--upload-timeout",
            defaultValue = "1h",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "An upload not done after this long is cut with 408. Default: ${DEFAULT-VALUE}.")
    Duration uploadTimeout;

    /** Spring Boot's duration syntax ({@code 500ms}, {@code 30s}, {@code 2m}, {@code PT1H}), positive. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d;
            try {
                d = DurationStyle.detectAndParse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("not a duration: '" + value + "' (try 30s, 500ms, 2m)");
            }
            if (d.isNegative() || d.isZero()) {
                throw new CommandLine.TypeConversionException("the duration must be positive: '" + value + "'");
            }
            return d;
        }
    }

    @Option(
            names = "--no-zero-copy",
            description = "Read every GET through AIO; by default page-cached files and ranges go out by sendfile.")
    boolean noZeroCopy;

    @Spec
    CommandSpec spec;

    /** The running server, for tests. */
    volatile ConfigurableApplicationContext context;

    @picocli.CommandLine.Mixin
    BackendOption backendOption = new BackendOption();

    @Override
    public Integer call() throws Exception {
        EngineBackend backend = backendOption.checked();
        if (!Files.exists(root)) throw new CliException("no such directory: " + root);
        if (!Files.isDirectory(root)) throw new CliException("not a directory: " + root);
        if (port < 0 || port > 65535) throw new CliException("--port must be between 0 and 65535", AioCli.EXIT_USAGE);
        if (readOnly && writable)
            throw new CliException("--read-only and --writable exclude each other", AioCli.EXIT_USAGE);
        if (token != null && token.isBlank()) token = null;
        if (token != null && !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new CliException("--token must be printable ASCII without spaces", AioCli.EXIT_USAGE);
        }
        if (writable && token == null && !AioFilesAutoConfiguration.isLoopback(bind)) {
            throw new CliException(
                    "refusing to serve writable on " + bind + " without a token: add --token (or AIO_SERVE_TOKEN)"
                            + " or bind to 127.0.0.1",
                    AioCli.EXIT_USAGE);
        }
        CountDownLatch closed = new CountDownLatch(1);
        // The commands' quiet logging setup (AioCli.main) would make Spring Boot warn; the server logs as Boot does.
        if ("aio-cli-logback.xml".equals(System.getProperty("logback.configurationFile"))) {
            System.clearProperty("logback.configurationFile");
        }
        try {
            List<String> args = new ArrayList<>(List.of(
                    "--spring.main.banner-mode=off",
                    "--server.address=" + bind,
                    "--aio4j.files.max-upload-size=" + maxUpload + "B",
                    "--aio4j.files.writable=" + writable,
                    "--aio4j.files.upload-idle-timeout=" + uploadIdleTimeout.toMillis() + "ms",
                    "--aio4j.files.upload-timeout=" + uploadTimeout.toMillis() + "ms",
                    "--aio4j.files.zero-copy=" + !noZeroCopy));
            if (token != null) args.add("--aio4j.files.token=" + token);
            if (backend != null) args.add("--aio4j.engine.backend=" + backend.name());
            context = ServeApplication.start(root, port, args.toArray(String[]::new));
        } catch (RuntimeException e) {
            throw new CliException("could not start the server: " + Errors.describe(rootCause(e)));
        }
        context.addApplicationListener(event -> {
            if (event instanceof ContextClosedEvent) closed.countDown();
        });
        String actualPort = context.getEnvironment().getProperty("local.server.port", String.valueOf(port));
        spec.commandLine()
                .getOut()
                .println("aio serve: " + root.toRealPath() + " at http://" + hostForUrl(bind) + ":" + actualPort
                        + "/files/"
                        + (writable ? " (writable" + (token != null ? ", token required" : "") + ")" : " (read-only)")
                        + "; Ctrl-C stops");
        spec.commandLine().getOut().flush();
        if (!context.isActive()) return AioCli.EXIT_FAILURE;
        closed.await();
        return 0;
    }

    private static String hostForUrl(String bind) {
        if (AioFilesAutoConfiguration.isLoopback(bind)) return "localhost";
        return bind.contains(":") ? "[" + bind + "]" : bind;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t;
    }
}
