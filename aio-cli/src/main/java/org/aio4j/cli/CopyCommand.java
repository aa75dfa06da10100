package org.aio4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.aio4j.AioException;
import org.aio4j.AioFile;
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
            "Copy SRC to DST, inside the kernel where it can (copy_file_range, holes kept), else through POSIX AIO,"
                    + " with a live progress bar on a terminal (plain lines otherwise).",
            "The copy goes to a temporary file next to DST (.NAME.<random>.part) that is renamed over DST at the end:"
                    + " an existing DST is replaced whole or left as it was. Ctrl-C (SIGINT), SIGTERM and SIGHUP"
                    + " cancel cleanly (exit 130, 143, 129) and remove the temporary file."
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
            description = "Bytes per AIO read/write, when not copied in the kernel (e.g. 64k, 1m)."
                    + " Default: ${DEFAULT-VALUE}.")
    int chunk;

    @Option(
            names = "--in-flight",
            defaultValue = "16",
            paramLabel = "N",
            description = "Operations in flight at most. Default: ${DEFAULT-VALUE}.")
    int inFlight;

    @Option(names = "--fsync", description = "fsync the data and then DST's directory before reporting success.")
    boolean fsync;

    @Option(names = "--verify", description = "Read both files back and compare their CRC32C checksums.")
    boolean verify;

    @Option(
            names = "--keep-partial",
            description = "Keep the temporary file (.NAME.<random>.part, next to DST) after an error or a signal;"
                    + " DST itself is never touched then.")
    boolean keepPartial;

    @Option(
            names = "--kernel-copy",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Copy inside the kernel where it can (copy_file_range or sendfile, holes kept);"
                    + " --no-kernel-copy always uses AIO reads and writes of --chunk. Default: ${DEFAULT-VALUE}.")
    boolean kernelCopy;

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

    @picocli.CommandLine.Mixin
    BackendOption backendOption = new BackendOption();

    @Override
    public Integer call() throws Exception {
        return call(spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** The copy, writing its summary to {@code out} and its messages to {@code err} (also without picocli). */
    @SuppressWarnings("try") // the signal handlers are only installed for the duration of the copy
    Integer call(PrintWriter out, PrintWriter err) throws Exception {
        backendOption.apply();
        validate();
        long size = Files.size(source);
        Path destination = destination();
        boolean existed = Files.exists(destination);
        CopyOptions options = CopyOptions.defaults()
                .chunkSize(chunk)
                .maxInFlight(inFlight)
                .fsync(fsync)
                .kernelCopy(kernelCopy);
        ReadOptions verifyOptions =
                verify ? ReadOptions.defaults().chunkSize(chunk).maxInFlight(inFlight) : null;
        CopyJob job = new CopyJob(source, destination, options, verifyOptions, keepPartial);
        CopyJob.Outcome outcome;
        try (Progress bar = Progress.create(progress, "copy", size, out, progressInterval);
                AutoCloseable signals = Interrupts.onTermination(job::cancel, job::cancelAndWait)) {
            job.start(bar);
            outcome = job.await();
        }
        String left = (outcome.tempKept() ? "kept partial copy " + job.temp() : "removed partial copy") + "; " + target
                + (existed ? " unchanged" : " not created");
        switch (outcome.state()) {
            case CANCELLED -> {
                long done = outcome.last() == null ? 0 : outcome.last().bytesDone();
                int signal = outcome.signal() == 0 ? Interrupts.SIGINT : outcome.signal();
                err.println("aio copy: interrupted (SIG" + Interrupts.name(signal) + ") after " + Sizes.format(done)
                        + "; " + left);
                err.flush();
                return 128 + signal;
            }
            case FAILED ->
                throw new CliException(
                        Errors.describe(outcome.error()).replace(job.temp().toString(), target.toString()) + " (" + left
                                + ")");
            case VERIFY_FAILED -> {
                CopyJob.Checksums c = outcome.checksums();
                err.println(String.format(
                        Locale.ROOT,
                        "aio copy: verification FAILED: crc32c %08x (%s) != %08x (copy of %s); %s",
                        c.source(),
                        source,
                        c.target(),
                        target,
                        left));
                err.flush();
                return AioCli.EXIT_VERIFY_FAILED;
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
            summary.append(String.format(
                    Locale.ROOT,
                    ", verified (crc32c %08x, %.3f s)",
                    outcome.checksums().target(),
                    (outcome.nanos() - outcome.copyNanos()) / 1e9));
        }
        out.println(summary);
        out.flush();
        return 0;
    }

    /** DST, or the file a symbolic link DST points to (the link stays, as with cp). */
    private Path destination() throws IOException {
        return Files.isSymbolicLink(target) ? target.toRealPath() : target;
    }

    private void validate() throws Exception {
        if (inFlight < 1 || inFlight > 4096) throw new CliException("--in-flight must be between 1 and 4096", 2);
        if (!Files.exists(source)) throw new CliException("no such file: " + source);
        if (Files.isDirectory(source)) throw new CliException("source is a directory: " + source);
        if (!Files.isRegularFile(source)) throw new CliException("source is not a regular file: " + source);
        if (!Files.isReadable(source)) throw new CliException("permission denied: " + source);
        if (Files.isDirectory(target)) throw new CliException("target is a directory: " + target);
        if (Files.isSymbolicLink(target) && !Files.exists(target)) {
            throw new CliException("target is a dangling symbolic link: " + target);
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(target)) {
            throw new CliException("target exists and is not a regular file: " + target);
        }
        if (Files.exists(target) && Files.isSameFile(source, target)) {
            throw new CliException("source and target are the same file: " + target);
        }
        Path dest = destination();
        Path parent = dest.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) throw new CliException("no such directory: " + parent);
        // the copy is renamed into place: the directory must take a new file, whether DST exists or not
        if (parent != null && !Files.isWritable(parent)) throw new CliException("permission denied: " + parent);
        if (Files.exists(dest)) {
            // as cp: an existing DST that this user may not write is refused (open(2) says why), though the
            // rename could replace it
            try {
                AioFile.open(dest, StandardOpenOption.WRITE).close();
            } catch (AioException e) {
                throw new CliException(Errors.describe(e.withContext(target, -1)));
            }
        }
    }
}
