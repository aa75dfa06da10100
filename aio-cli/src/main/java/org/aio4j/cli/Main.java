package org.aio4j.cli;

import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.Charset;

/**
 * The entry point of the {@code aio} command (the jar's main class; {@link AioCli#main} is the same): sets up
 * logging, runs a plain {@code aio copy} line that {@link QuickCopyLine} reads without picocli, and hands every other
 * line to picocli ({@link AioCli}). This class refers to no picocli type, so that such a copy loads none.
 */
public final class Main {
    private Main() {}

    /**
     * Runs {@code aio} and exits the JVM with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        // Quiet logging for the commands (warnings to stderr). Every command but 'serve' (Spring Boot sets up its own
        // logback) logs through StderrLogging, unless the user chose a logging setup.
        boolean chosen =
                System.getProperty("slf4j.provider") != null || System.getProperty("logback.configurationFile") != null;
        if (!chosen && !"serve".equals(commandName(args))) {
            System.setProperty("slf4j.provider", StderrLogging.class.getName());
            // no "SLF4J(I): Attempting to load provider ..." line on stderr
            if (System.getProperty("slf4j.internal.verbosity") == null) {
                System.setProperty("slf4j.internal.verbosity", "WARN");
            }
        } else if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "aio-cli-logback.xml");
        }
        QuickCopyLine quick = QuickCopyLine.parse(args);
        int code = quick != null ? copy(quick) : AioCli.execute(args);
        System.out.flush();
        System.exit(code);
    }

    /** The first argument that is not an option (aio's own options take no value), or null. */
    static String commandName(String[] args) {
        for (String a : args) if (!a.startsWith("-")) return a;
        return null;
    }

    /**
     * A copy read by {@link QuickCopyLine}, run as picocli runs it (the same writers, the same handling of an error),
     * without loading picocli.
     */
    static int copy(QuickCopyLine line) {
        PrintWriter out = writer(System.out, "sun.stdout.encoding");
        PrintWriter err = writer(System.err, "sun.stderr.encoding");
        try {
            Integer code = line.command.call(out, err);
            return code == null ? 0 : code;
        } catch (Exception ex) {
            return failed(ex, "aio copy", line.debug, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * A command failed: one line {@code NAME: what went wrong} on {@code err}, and the stack trace with --debug.
     *
     * @return the exit code: the {@link CliException}'s, else {@link AioCli#EXIT_FAILURE}
     */
    static int failed(Exception ex, String name, boolean debug, PrintWriter err) {
        int code = ex instanceof CliException ce ? ce.exitCode() : AioCli.EXIT_FAILURE;
        err.println(name + ": " + Errors.describe(ex));
        if (debug) {
            StringWriter sw = new StringWriter();
            ex.printStackTrace(new PrintWriter(sw));
            err.print(sw);
        }
        err.flush();
        return code;
    }

    /** The writer picocli makes for {@code stream}: its encoding from {@code property}, else the default. */
    private static PrintWriter writer(OutputStream stream, String property) {
        String name = System.getProperty(property);
        Charset charset = Charset.defaultCharset();
        if (name != null) {
            try {
                charset = Charset.forName("cp65001".equalsIgnoreCase(name) ? "UTF-8" : name);
            } catch (RuntimeException unknown) {
                // picocli falls back to the default too
            }
        }
        return new PrintWriter(new BufferedWriter(new OutputStreamWriter(stream, charset)), true);
    }
}
