package org.aio4j.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Consumer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.aio4j.reactor.CopyProgress;

/** Shows copy progress: a live bar on a terminal, plain periodic lines otherwise, or nothing. */
abstract class Progress implements Consumer<CopyProgress>, AutoCloseable {
    /** How progress is shown. */
    enum Mode {
        /** A bar when stdin and stdout are a terminal, plain lines otherwise. */
        AUTO,
        BAR,
        PLAIN,
        NONE
    }

    static Progress create(Mode mode, String task, long total, PrintWriter out, long plainIntervalMillis) {
        Mode m = mode;
        if (m == Mode.AUTO) m = System.console() != null ? Mode.BAR : Mode.PLAIN;
        return switch (m) {
            case BAR -> new Bar(task, total);
            case PLAIN -> new Plain(task, out, plainIntervalMillis);
            default ->
                new Progress() {
                    @Override
                    public void accept(CopyProgress p) {}

                    @Override
                    public void close() {}
                };
        };
    }

    @Override
    public abstract void close();

    /** me.tongfei.progressbar on stderr: bytes, percentage, rate and ETA. */
    static final class Bar extends Progress {
        private final ProgressBar bar;

        Bar(String task, long total) {
            bar = new ProgressBarBuilder()
                    .setTaskName(task)
                    .setInitialMax(Math.max(total, 1))
                    .setUnit("MiB", 1024 * 1024)
                    .showSpeed()
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .setUpdateIntervalMillis(200)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err))
                    .continuousUpdate()
                    .build();
        }

        private boolean closed;

        @Override
        public synchronized void accept(CopyProgress p) {
            if (closed) return;
            bar.maxHint(Math.max(p.totalBytes(), 1));
            bar.stepTo(p.bytesDone());
            if (p.done()) close(); // the copy is over (a verification may follow): stop the clock
        }

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            bar.close();
        }
    }

    /** One line at most every interval (and the last one), for logs and pipes. */
    static final class Plain extends Progress {
        private final String task;
        private final PrintWriter out;
        private final long intervalNanos;
        private long lastPrint = System.nanoTime();
        private final long startNanos = System.nanoTime();

        Plain(String task, PrintWriter out, long intervalMillis) {
            this.task = task;
            this.out = out;
            this.intervalNanos = intervalMillis * 1_000_000L;
        }

        @Override
        public synchronized void accept(CopyProgress p) {
            long now = System.nanoTime();
            if (p.done() || now - lastPrint < intervalNanos) return;
            lastPrint = now;
            out.println(line(task, p, now - startNanos));
            out.flush();
        }

        static String line(String task, CopyProgress p, long elapsedNanos) {
            double pct = p.totalBytes() <= 0 ? 100.0 : 100.0 * p.bytesDone() / p.totalBytes();
            double rate = p.bytesPerSecond() > 0
                    ? p.bytesPerSecond()
                    : (elapsedNanos > 0 ? p.bytesDone() * 1e9 / elapsedNanos : 0);
            String eta = rate > 0 ? duration((p.totalBytes() - p.bytesDone()) / rate) : "?";
            return String.format(
                    Locale.ROOT,
                    "%s: %s / %s (%.1f%%) %s ETA %s",
                    task,
                    Sizes.format(p.bytesDone()),
                    Sizes.format(p.totalBytes()),
                    pct,
                    Sizes.rate(rate),
                    eta);
        }

        @Override
        public void close() {}
    }

    static String duration(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
