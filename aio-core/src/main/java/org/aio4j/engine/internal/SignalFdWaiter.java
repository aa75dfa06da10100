package org.aio4j.engine.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.aio4j.engine.internal.Backend.CompletionSink;
import org.aio4j.internal.LibCGnu;
import org.aio4j.internal.NativeLib;
import org.aio4j.internal.NativeMemory;

/**
 * {@code SIGNAL}, exact form: a real-time signal that is blocked in every thread of the process (the JVM was
 * launched with it blocked, see {@code docs/engine.md}; checked by {@link #blockedInEveryThread}) is read from a
 * {@code signalfd}; each {@code
 * signalfd_siginfo} carries the slot in {@code ssi_ptr}. One engine per signal number (claimed process-wide), since
 * a signalfd takes every queued instance of its signal. An eventfd in the same {@code poll} set is the wake-up. A
 * full scan every 100 ms catches ops whose signal could not be queued (RLIMIT_SIGPENDING).
 */
public final class SignalFdWaiter extends Waiter {
    private static final Set<Integer> CLAIMED = ConcurrentHashMap.newKeySet();
    private static final int SIGINFO = 128, BATCH = 64;
    private static final int SFD_NONBLOCK = 04000, SFD_CLOEXEC = 02000000;
    private static final short POLLIN = 1;

    private final int signo;
    private PosixAioBackend b;
    private int sfd = -1, efd = -1;
    private long mask, pfds, buf, one, sink8;
    private int maskSize;
    private long lastScan;
    private boolean closed;

    public SignalFdWaiter(int signo) {
        this.signo = signo;
    }

    /**
     * True if {@code signo} is blocked in every thread of the process now: in the calling thread ({@code
     * pthread_sigmask}) and in each thread listed in {@code /proc/self/task} (the {@code SigBlk} line of its {@code
     * status}). A process-directed signal is delivered to any thread that does not block it, and a real-time signal
     * whose action is the default kills the JVM, so the exact ({@code signalfd}) form is safe only then: blocked in
     * the building thread alone (the JVM's own threads, started before, do not block it) the first completion killed
     * the JVM ("Real-time signal 6", exit status 168).
     *
     * <p>Residual risk: a thread started later inherits the mask of the thread that starts it, so once every thread
     * blocks the signal, new threads do too (glibc's AIO helper threads block every signal anyway); but native code
     * that later unblocks it in some thread ({@code pthread_sigmask(SIG_UNBLOCK)}, {@code sigprocmask}) is not seen.
     * False where {@code /proc} cannot be read (then the JVM-handled form is used).
     */
    public static boolean blockedInEveryThread(int signo) {
        return blockedInThisThread(signo) && blockedInEveryTask(Path.of("/proc/self/task"), signo);
    }

    /** True if every {@code <task>/status} under {@code taskDir} shows {@code signo} in {@code SigBlk}. */
    static boolean blockedInEveryTask(Path taskDir, int signo) {
        if (signo < 1 || signo > 64) return false;
        long bit = 1L << (signo - 1);
        int seen = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(taskDir)) {
            for (Path task : tasks) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(task.resolve("status"), StandardCharsets.ISO_8859_1);
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                String mask = null;
                for (String line : lines) {
                    if (line.startsWith("SigBlk:")) mask = line.substring(7).trim();
                }
                if (mask == null) return false;
                if ((Long.parseUnsignedLong(mask, 16) & bit) == 0) return false;
                seen++;
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return seen > 0;
    }

    /** True if {@code signo} is blocked in the calling thread. */
    static boolean blockedInThisThread(int signo) {
        try {
            LibCGnu g = NativeLib.gnu();
            int size = Math.max(128, NativeLib.abi().sizeofSigset);
            long old = NativeMemory.allocate(size);
            try {
                if (g.pthread_sigmask(0 /* SIG_BLOCK */, 0, old) != 0) return false;
                return g.sigismember(old, signo) == 1;
            } finally {
                NativeMemory.free(old, size);
            }
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /**
     * The slot count for an engine of the exact form that asked for {@code maxInFlight}: at most half of this
     * process's soft {@code RLIMIT_SIGPENDING} ({@code /proc/self/limits}, "Max pending signals"), at least 1. Each
     * op in flight has at most one completion signal queued, so the engine's own signals then never fill the limit:
     * past it, {@code sigqueue} fails and glibc overwrites the finished op's result with EAGAIN (the op completes
     * with {@code AioNotificationLostException}). The other half is left for the other queued signals of the same
     * user (the limit counts every process of the user, and another engine on another signal). {@code maxInFlight}
     * when the limit is unlimited or cannot be read; a lowered count is logged.
     */
    public static int boundInFlight(int maxInFlight) {
        long soft = softSigpendingLimit(Path.of("/proc/self/limits"));
        if (soft < 0 || soft / 2 >= maxInFlight) return maxInFlight;
        int bound = (int) Math.max(1, soft / 2);
        System.getLogger("org.aio4j.engine.AioEngine")
                .log(
                        System.Logger.Level.WARNING,
                        "aio4j: SIGNAL (signalfd) engine limited to " + bound + " ops in flight instead of "
                                + maxInFlight + ": RLIMIT_SIGPENDING (ulimit -i) is " + soft
                                + "; a completion signal past it loses the op's result");
        return bound;
    }

    /** The soft "Max pending signals" of a {@code /proc/<pid>/limits} file; -1 for unlimited or unknown. */
    static long softSigpendingLimit(Path limits) {
        try {
            for (String line : Files.readAllLines(limits, StandardCharsets.ISO_8859_1)) {
                if (!line.startsWith("Max pending signals")) continue;
                String[] f =
                        line.substring("Max pending signals".length()).trim().split("\\s+");
                return f.length == 0 || f[0].equals("unlimited") ? -1 : Long.parseLong(f[0]);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no /proc: unknown
        }
        return -1;
    }

    /** Claims {@code signo} for one engine; false if another engine holds it. */
    public static boolean claim(int signo) {
        return CLAIMED.add(signo);
    }

    /** Gives up a claim made with {@link #claim} (when building failed). */
    public static void unclaim(int signo) {
        CLAIMED.remove(signo);
    }

    @Override
    protected void init(PosixAioBackend b) {
        this.b = b;
        LibCGnu g = NativeLib.gnu();
        maskSize = Math.max(128, b.abi.sizeofSigset);
        mask = NativeMemory.allocate(maskSize);
        pfds = NativeMemory.allocate(16);
        buf = NativeMemory.allocate((long) SIGINFO * BATCH);
        one = NativeMemory.allocate(8);
        sink8 = NativeMemory.allocate(8);
        NativeMemory.putLong(one, 1);
        g.sigemptyset(mask);
        g.sigaddset(mask, signo);
        sfd = b.px.signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC);
        if (sfd < 0) {
            int e = b.px.errno();
            freeAll();
            throw new IllegalStateException("signalfd failed, errno " + e);
        }
        efd = b.px.eventfd(0, SFD_NONBLOCK | SFD_CLOEXEC); // EFD_* have the same values
        if (efd < 0) {
            int e = b.px.errno();
            b.px.close(sfd);
            freeAll();
            throw new IllegalStateException("eventfd failed, errno " + e);
        }
        NativeMemory.putInt(pfds, sfd);
        NativeMemory.putShort(pfds + 4, POLLIN);
        NativeMemory.putInt(pfds + 8, efd);
        NativeMemory.putShort(pfds + 12, POLLIN);
        lastScan = System.nanoTime();
    }

    private void freeAll() {
        NativeMemory.free(mask, maskSize);
        NativeMemory.free(pfds, 16);
        NativeMemory.free(buf, (long) SIGINFO * BATCH);
        NativeMemory.free(one, 8);
        NativeMemory.free(sink8, 8);
        CLAIMED.remove(signo);
    }

    @Override
    protected void initSigevent(long sev, int slot) {
        var l = b.abi.sigevent;
        NativeMemory.putInt(sev + l.notifyField(), b.abi.SIGEV_SIGNAL);
        NativeMemory.putInt(sev + l.signo(), signo);
        NativeMemory.putLong(sev + l.value(), slot);
    }

    @Override
    protected boolean await(PosixAioBackend b, CompletionSink sink, long timeoutNanos) {
        int reaped = readSignals(sink);
        if (reaped == 0) {
            NativeMemory.putShort(pfds + 6, (short) 0);
            NativeMemory.putShort(pfds + 14, (short) 0);
            int ms = (int) Math.min(1000, (timeoutNanos + 999_999) / 1_000_000);
            b.px.poll(pfds, 2, ms);
            reaped = readSignals(sink);
            b.px.read(efd, sink8, 8);
        }
        countExact(reaped);
        long now = System.nanoTime();
        if (now - lastScan > 100_000_000L) {
            lastScan = now;
            return true;
        }
        return false;
    }

    private int readSignals(CompletionSink sink) {
        int reaped = 0;
        while (true) {
            long r = b.px.read(sfd, buf, (long) SIGINFO * BATCH);
            if (r <= 0) return reaped;
            for (long off = 0; off + SIGINFO <= r; off += SIGINFO) {
                long si = buf + off;
                if (NativeMemory.getInt(si) != signo) continue;
                long slot = NativeMemory.getLong(si + 48); // ssi_ptr
                reaped += b.exactDone((int) slot, sink);
            }
            if (r < (long) SIGINFO * BATCH) return reaped;
        }
    }

    @Override
    protected synchronized void wakeup() {
        if (!closed && efd >= 0) b.px.write(efd, one, 8);
    }

    @Override
    protected synchronized boolean close(long deadlineNanos) {
        closed = true;
        b.px.close(sfd);
        b.px.close(efd);
        freeAll();
        return true;
    }

    /** A real-time signal past {@code RLIMIT_SIGPENDING}: glibc overwrites the op's result with EAGAIN. */
    @Override
    protected boolean notificationFailureOverwritesResult() {
        return true;
    }

    @Override
    protected String name() {
        return "SIGNAL(signalfd, signal " + signo + ", exact)";
    }
}
