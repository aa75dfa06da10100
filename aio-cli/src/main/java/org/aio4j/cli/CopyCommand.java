package org.aio4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.aio4j.reactor.CopyOptions;
import org.aio4j.reactor.ReadOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aio copy SRC DST}: a copy through aio-reactor with progress, optional fsync and verification. */
@Command(
        name = "copy",
        mixinStandardHelpOptions = true,
        description = {
            "Copy SRC to DST through POSIX AIO, with a live progress bar on a terminal (plain lines otherwise).",
            "An existing DST file is replaced. Ctrl-C cancels cleanly (exit 130) and removes the partial DST."
        })
final class CopyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SRC", description = "The file to copy.")
    Path source;

    @Parameters(index = "1", paramLabel = "DST", description = "The new file (not a directory).")
    Path target;

    @Option(
            names = "--chunk",
            defaultValue = "1m",
            converter = Sizes.IntSize.class,
            paramLabel = "SIZE",
            description = "Bytes per read/write (e.g. 64k, 1m). Default: ${DEFAULT-VALUE}.")
    int chunk;

    @Option(
            names = "--in-flight",
            defaultValue = "16",
            paramLabel = "N",
            description = "Operations in flight at most. Default: ${DEFAULT-VALUE}.")
    int inFlight;

    @Option(names = "--fsync", description = "fsync DST before reporting success.")
    boolean fsync;

    @Option(names = "--verify", description = "Read both files back and compare their CRC32C checksums.")
    boolean verify;

    @Option(names = "--keep-partial", description = "Keep a partial DST after an error or Ctrl-C.")
    boolean keepPartial;

    @Option(
            names = "--progress",
            defaultValue = "auto",
            paramLabel = "MODE",
            description = "auto, bar, plain or none. Default: ${DEFAULT-VALUE}.")
    Progress.Mode progress;

    @Option(
            names = "--progress-interval",
            defaultValue = "1000",
            paramLabel = "MS",
            description = "Milliseconds between plain progress lines. Default: ${DEFAULT-VALUE}.")
    long progressInterval;

    @Spec
    CommandSpec spec;

    @Override
    @SuppressWarnings("try") // the SIGINT handler is only installed for the duration of the copy
    public Integer call() throws Exception {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long size = Files.size(source);
        CopyOptions options = CopyOptions.defaults()
                .chunkSize(chunk)
                .maxInFlight(inFlight)
                .fsync(fsync)
                .replaceExisting(true);
        ReadOptions verifyOptions =
                verify ? ReadOptions.defaults().chunkSize(chunk).maxInFlight(inFlight) : null;
        CopyJob job = new CopyJob(source, target, options, verifyOptions, keepPartial);
        CopyJob.opsInFlight(); // loads the native binding and starts the engine before the progress clock starts
        CopyJob.Outcome outcome;
        try (Progress bar = Progress.create(progress, "copy", size, out, progressInterval);
                AutoCloseable sigint = Interrupts.onInterrupt(job::cancel)) {
            job.start(bar);
            outcome = job.await();
        }
        switch (outcome.state()) {
            case CANCELLED -> {
                long done = outcome.last() == null ? 0 : outcome.last().bytesDone();
                err.println("aio copy: interrupted after " + Sizes.format(done) + "; "
                        + (outcome.partialRemoved()
                                ? "removed partial " + target
                                : keepPartial ? "kept partial " + target : "nothing to remove"));
                err.flush();
                return AioCli.EXIT_INTERRUPTED;
            }
            case FAILED -> {
                String suffix = outcome.partialRemoved() ? " (removed partial " + target + ")" : "";
                throw new CliException(Errors.describe(outcome.error()) + suffix);
            }
            default -> {}
        }
        long bytes = outcome.last() == null ? size : outcome.last().bytesDone();
        double seconds = outcome.copyNanos() / 1e9;
        StringBuilder summary = new StringBuilder(String.format(
                Locale.ROOT,
                "copied %s (%d bytes) %s -> %s in %.3f s, %s",
                Sizes.format(bytes),
                bytes,
                source,
                target,
                seconds,
                Sizes.rate(seconds > 0 ? bytes / seconds : 0)));
        if (fsync) summary.append(", fsynced");
        if (outcome.checksums() != null) {
            CopyJob.Checksums c = outcome.checksums();
            if (!c.match()) {
                err.println(String.format(
                        Locale.ROOT,
                        "aio copy: verification FAILED: crc32c %08x (%s) != %08x (%s)",
                        c.source(),
                        source,
                        c.target(),
                        target));
                err.flush();
                return AioCli.EXIT_VERIFY_FAILED;
            }
            summary.append(String.format(
                    Locale.ROOT,
                    ", verified (crc32c %08x, %.3f s)",
                    c.target(),
                    (outcome.nanos() - outcome.copyNanos()) / 1e9));
        }
        out.println(summary);
        out.flush();
        return 0;
    }

    private void validate() throws Exception {
        if (inFlight < 1 || inFlight > 4096) throw new CliException("--in-flight must be between 1 and 4096", 2);
        if (!Files.exists(source)) throw new CliException("no such file: " + source);
        if (Files.isDirectory(source)) throw new CliException("source is a directory: " + source);
        if (!Files.isRegularFile(source)) throw new CliException("source is not a regular file: " + source);
        if (!Files.isReadable(source)) throw new CliException("permission denied: " + source);
        if (Files.isDirectory(target)) throw new CliException("target is a directory: " + target);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(target)) {
            throw new CliException("target exists and is not a regular file: " + target);
        }
        if (Files.exists(target) && Files.isSameFile(source, target)) {
            throw new CliException("source and target are the same file: " + target);
        }
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) throw new CliException("no such directory: " + parent);
        if (parent != null && !Files.isWritable(parent) && !Files.exists(target)) {
            throw new CliException("permission denied: " + parent);
        }
    }
}
