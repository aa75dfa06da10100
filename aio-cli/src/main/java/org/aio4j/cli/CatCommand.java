package org.aio4j.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.aio4j.reactor.AioFiles;
import org.aio4j.reactor.ReadOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aio cat FILE...}: the files, in order, to stdout, read through POSIX AIO. */
@Command(
        name = "cat",
        mixinStandardHelpOptions = true,
        description = "Write the files to standard output, in order, read through POSIX AIO (usable in pipes).")
final class CatCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Files to print.")
    List<Path> files;

    @Option(
            names = "--chunk",
            defaultValue = "256k",
            converter = Sizes.IntSize.class,
            paramLabel = "SIZE",
            description = "Bytes per read. Default: ${DEFAULT-VALUE}.")
    int chunk;

    @Option(
            names = "--in-flight",
            defaultValue = "4",
            paramLabel = "N",
            description = "Reads in flight at most. Default: ${DEFAULT-VALUE}.")
    int inFlight;

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    BackendOption backendOption = new BackendOption();

    @Override
    public Integer call() throws Exception {
        backendOption.apply();
        if (inFlight < 1 || inFlight > 4096) throw new CliException("--in-flight must be between 1 and 4096", 2);
        for (Path f : files) {
            if (!Files.exists(f)) throw new CliException("no such file: " + f);
            if (Files.isDirectory(f)) throw new CliException("is a directory: " + f);
        }
        OutputStream target = AioCli.binaryOut;
        WritableByteChannel out;
        if (target == System.out) {
            System.out.flush();
            out = new FileOutputStream(FileDescriptor.out).getChannel();
        } else {
            out = Channels.newChannel(target);
        }
        ReadOptions options = ReadOptions.defaults().chunkSize(chunk).maxInFlight(inFlight);
        for (Path f : files) {
            try {
                ChunkPump.pump(AioFiles.read(f, options), 2, chunk -> {
                    while (chunk.hasRemaining()) out.write(chunk);
                });
            } catch (IOException e) {
                if (isBrokenPipe(e)) return AioCli.EXIT_BROKEN_PIPE;
                throw e;
            }
        }
        target.flush();
        return 0;
    }

    private static boolean isBrokenPipe(IOException e) {
        String m = e.getMessage();
        return m != null && (m.contains("Broken pipe") || m.contains("EPIPE"));
    }
}
