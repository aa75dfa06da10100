package org.aio4j.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The {@code aio} command: {@code copy}, {@code cat}, {@code stat}, {@code bench} and {@code serve}.
 *
 * <pre>{@code
 * java -jar aio-cli/target/aio.jar copy big.iso /mnt/backup/big.iso --verify
 * }</pre>
 *
 * <p>Exit codes: 0 success, 1 failure (one line on stderr, a stack trace only with {@code --debug}), 2 bad usage,
 * 3 verification failed, 129/130/143 ended by SIGHUP/SIGINT (Ctrl-C)/SIGTERM ({@code copy}: cleanly, 128 + the
 * signal number), 141 broken pipe ({@code cat}).
 */
@Command(
        name = "aio",
        mixinStandardHelpOptions = true,
        versionProvider = AioCli.Version.class,
        description = "POSIX asynchronous file I/O (aio4j) from the command line.",
        subcommands = {
            CopyCommand.class,
            CatCommand.class,
            StatCommand.class,
            BenchCommand.class,
            ServeCommand.class,
            CommandLine.HelpCommand.class
        },
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0    success",
            "  1    failure (one line on stderr; --debug adds the stack trace)",
            "  2    bad usage",
            "  3    verification failed",
            "  129  hung up (SIGHUP; copy: cancelled cleanly)",
            "  130  interrupted (Ctrl-C, SIGINT; copy: cancelled cleanly)",
            "  143  terminated (SIGTERM; copy: cancelled cleanly)",
            "  141  broken pipe"
        })
public final class AioCli implements Runnable {
    /** Exit code of a failed command. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of bad usage (unknown option, missing argument). */
    public static final int EXIT_USAGE = 2;
    /** Exit code of {@code copy --verify} when the checksums differ. */
    public static final int EXIT_VERIFY_FAILED = 3;
    /** Exit code after Ctrl-C (128 + SIGINT); {@code copy} exits 128 + the signal for SIGTERM and SIGHUP too. */
    public static final int EXIT_INTERRUPTED = 130;
    /** Exit code when stdout was closed under {@code cat} (128 + SIGPIPE). */
    public static final int EXIT_BROKEN_PIPE = 141;

    /** Where {@code cat} writes bytes; tests replace it. */
    static volatile OutputStream binaryOut = System.out;

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean debug;

    @Spec
    CommandSpec spec;

    /** {@code aio} without a command is a usage error. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command (copy, cat, stat, bench, serve, help)");
    }

    /** A command line with aio's error handling: one line per error, exit codes as documented. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new AioCli());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler(AioCli::usageError);
        cl.setExecutionExceptionHandler(AioCli::executionError);
        return cl;
    }

    private static int usageError(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        String name = cl.getCommandSpec().qualifiedName();
        err.println(name + ": " + ex.getMessage() + " (see '" + name + " --help')");
        err.flush();
        if (hasDebug(args)) ex.printStackTrace(err);
        return EXIT_USAGE;
    }

    private static int executionError(Exception ex, CommandLine cl, ParseResult parseResult) {
        PrintWriter err = cl.getErr();
        String name = cl.getCommandSpec().qualifiedName();
        int code = ex instanceof CliException ce ? ce.exitCode() : EXIT_FAILURE;
        err.println(name + ": " + Errors.describe(ex));
        if (debug(parseResult)) {
            StringWriter sw = new StringWriter();
            ex.printStackTrace(new PrintWriter(sw));
            err.print(sw);
        }
        err.flush();
        return code;
    }

    private static boolean debug(ParseResult pr) {
        for (ParseResult p = pr; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--debug")) return true;
        }
        return false;
    }

    private static boolean hasDebug(String[] args) {
        for (String a : args) if (a.equals("--debug")) return true;
        return false;
    }

    /** Runs {@code aio} and exits the JVM with its exit code. */
    public static void main(String[] args) {
        // Quiet logging for the commands (warnings to stderr); 'serve' keeps Spring Boot's own setup.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "aio-cli-logback.xml");
        }
        int code = commandLine().execute(args);
        System.out.flush();
        System.exit(code);
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = AioCli.class.getPackage().getImplementationVersion();
            return new String[] {
                "aio (aio4j) " + (v == null ? "development build" : v),
                "Java " + System.getProperty("java.version") + " on " + System.getProperty("os.name") + " "
                        + System.getProperty("os.arch")
            };
        }
    }
}
