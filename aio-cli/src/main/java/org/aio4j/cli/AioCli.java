package org.aio4j.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
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
        // the subcommands are added by commandLine(): all of them, or only the one a command line names
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0    success",
            "  1    failure (one line on stderr; --debug adds the stack trace)",
            "  2    bad usage",
            "  3    verification failed",
            "  129  hung up (SIGHUP; copy: cancelled cleanly)",
            "  130  interrupted (Ctrl-C, SIGINT; copy: cancelled cleanly)",
            "  141  broken pipe",
            "  143  terminated (SIGTERM; copy: cancelled cleanly)"
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

    /** The commands, by name: each is only loaded (with picocli's model of it) when it is added. */
    private static final String[] COMMANDS = {"copy", "cat", "stat", "bench", "serve", "help"};

    private static Object command(String name) {
        return switch (name) {
            case "copy" -> new CopyCommand();
            case "cat" -> new CatCommand();
            case "stat" -> new StatCommand();
            case "bench" -> new BenchCommand();
            case "serve" -> new ServeCommand();
            default -> new CommandLine.HelpCommand();
        };
    }

    /** A command line with every command and aio's error handling: one line per error, exit codes as documented. */
    public static CommandLine commandLine() {
        return commandLine(COMMANDS);
    }

    /**
     * The command line for {@code args}: when they name a command other than {@code help}, only that one is added,
     * so that picocli neither loads nor models the others ({@code serve} and {@code bench} reach Spring types); for
     * anything else (no command, {@code help}, an unknown name) every command.
     */
    static CommandLine commandLineFor(String[] args) {
        String name = commandName(args);
        for (String c : COMMANDS) {
            if (c.equals(name) && !c.equals("help")) return commandLine(new String[] {c});
        }
        return commandLine();
    }

    /** The first argument that is not an option (aio's own options take no value), or null. */
    static String commandName(String[] args) {
        return Main.commandName(args);
    }

    private static CommandLine commandLine(String[] commands) {
        CommandLine cl = new CommandLine(new AioCli());
        for (String c : commands) cl.addSubcommand(c, command(c));
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
        return Main.failed(ex, cl.getCommandSpec().qualifiedName(), debug(parseResult), cl.getErr());
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

    /**
     * Runs {@code aio} and exits the JVM with its exit code (the same as {@link Main#main}, the jar's entry point).
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        Main.main(args);
    }

    /** Runs {@code args} through picocli: every command line that {@link QuickCopyLine} does not read. */
    static int execute(String[] args) {
        return commandLineFor(args).execute(args);
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
