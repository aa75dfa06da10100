package org.aio4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs {@code aio} in-process and keeps exit code, stdout, stderr and binary stdout. */
final class CliRunner {
    final int exitCode;
    final String out;
    final String err;
    final byte[] binary;
    final CommandLine commandLine;

    private CliRunner(int exitCode, String out, String err, byte[] binary, CommandLine commandLine) {
        this.exitCode = exitCode;
        this.out = out;
        this.err = err;
        this.binary = binary;
        this.commandLine = commandLine;
    }

    static CliRunner run(String... args) {
        return run(AioCli.commandLine(), args);
    }

    static CliRunner run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        synchronized (CliRunner.class) {
            AioCli.binaryOut = binary;
            try {
                int code = cl.execute(args);
                return new CliRunner(code, out.toString(), err.toString(), binary.toByteArray(), cl);
            } finally {
                AioCli.binaryOut = System.out;
            }
        }
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
}
