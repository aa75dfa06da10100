package org.aio4j.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.aio4j.engine.internal.Posix;
import org.aio4j.internal.AioAbi;
import org.aio4j.internal.Errno;
import org.aio4j.internal.NativeLib;
import org.aio4j.internal.NativeMemory;

/**
 * An adversarial fake of FreeBSD's kernel AIO with {@code SIGEV_KEVENT}: requests are parsed from the FreeBSD
 * {@code aiocb} layout, executed with real {@code pread}/{@code pwrite} on worker threads in random order and with
 * random delays, and announced as {@code EVFILT_AIO} events (udata = sigev_value) on the fake kqueue. It refuses
 * a random share of submissions with EAGAIN, and records every protocol violation: an {@code aiocb} reused before
 * {@code aio_return}, {@code aio_return} before completion or twice, a sigevent that is not {@code SIGEV_KEVENT}
 * with {@code EV_ONESHOT} on its kqueue.
 */
final class FakeFreeBsdPosix implements Posix {
    static final int EVFILT_AIO = -3, EVFILT_USER = -11, NOTE_TRIGGER = 0x01000000, EV_ONESHOT = 0x10;
    private static final int KQ = 4242;

    private final AioAbi abi;
    private final int einprogress = Errno.EINPROGRESS.value();
    private final int eagain = Errno.EAGAIN.value();
    private final int ecanceled = Errno.ECANCELED.value();
    private final int einval = Errno.EINVAL.value();
    private final double eagainRate;
    private final ThreadLocal<Integer> errno = ThreadLocal.withInitial(() -> 0);
    private final Map<Long, Req> requests = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Req> work = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<long[]> events = new LinkedBlockingQueue<>(); // {ident, filter, udata}
    final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong submitted = new AtomicLong(), returned = new AtomicLong(), refused = new AtomicLong();
    final AtomicInteger cancelled = new AtomicInteger();
    private volatile boolean kqOpen;
    private volatile boolean userRegistered;
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean stop;

    private static final class Req {
        final long cb;
        final int op, fd;
        final long buf, len, off, udata;
        // 0 queued, 1 running, 2 done
        int state;
        long result;
        int error;

        Req(long cb, int op, int fd, long buf, long len, long off, long udata) {
            this.cb = cb;
            this.op = op;
            this.fd = fd;
            this.buf = buf;
            this.len = len;
            this.off = off;
            this.udata = udata;
        }
    }

    FakeFreeBsdPosix(AioAbi abi, double eagainRate, int threads) {
        this.abi = abi;
        this.eagainRate = eagainRate;
        for (int i = 0; i < threads; i++) {
            SplittableRandom rnd = new SplittableRandom(i);
            Thread t = new Thread(() -> runWorker(rnd), "fake-freebsd-aio-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
    }

    void shutdown() throws InterruptedException {
        stop = true;
        for (Thread t : workers) t.interrupt();
        for (Thread t : workers) t.join();
    }

    private void runWorker(SplittableRandom rnd) {
        while (!stop) {
            Req r;
            try {
                r = work.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (r == null) continue;
            synchronized (r) {
                if (r.state != 0) continue; // cancelled
                r.state = 1;
            }
            if (rnd.nextInt(4) == 0) Thread.yield();
            long res;
            int err = 0;
            if (r.op == 2) {
                res = 0;
            } else if (r.op == 0) {
                res = NativeLib.libc().pread(r.fd, r.buf, r.len, r.off);
            } else {
                res = NativeLib.libc().pwrite(r.fd, r.buf, r.len, r.off);
            }
            if (res < 0) err = NativeLib.errno();
            synchronized (r) {
                r.result = res;
                r.error = err;
                r.state = 2;
            }
            events.add(new long[] {r.cb, EVFILT_AIO, r.udata});
        }
    }

    private int fail(int e) {
        errno.set(e);
        return -1;
    }

    private int submit(long cb, int op) {
        var l = abi.aiocb;
        var s = abi.sigevent;
        long sev = cb + l.sigevent();
        if (NativeMemory.getInt(sev + s.notifyField()) != abi.SIGEV_KEVENT)
            violations.add("sigevent is not SIGEV_KEVENT");
        if (NativeMemory.getInt(sev + s.notifyKqueue()) != KQ) violations.add("sigevent names another kqueue");
        if (NativeMemory.getShort(sev + s.keventFlags()) != EV_ONESHOT)
            violations.add("kevent flags are not EV_ONESHOT");
        if (op != 2) {
            int want = op == 0 ? abi.LIO_READ : abi.LIO_WRITE;
            if (NativeMemory.getInt(cb + l.lioOpcode()) != want) violations.add("aio_lio_opcode not reset");
        }
        if (NativeMemory.getInt(cb + l.reqprio()) != 0) violations.add("aio_reqprio not reset");
        if (ThreadLocalRandomHolder.next() < eagainRate) {
            refused.incrementAndGet();
            return fail(eagain);
        }
        Req r = new Req(
                cb,
                op,
                NativeMemory.getInt(cb + l.fildes()),
                NativeMemory.getLong(cb + l.buf()),
                NativeMemory.getLong(cb + l.nbytes()),
                NativeMemory.getLong(cb + l.offset()),
                NativeMemory.getLong(sev + s.value()));
        if (requests.putIfAbsent(cb, r) != null) {
            violations.add("aiocb " + cb + " reused before aio_return");
            return fail(einval);
        }
        submitted.incrementAndGet();
        work.add(r);
        return 0;
    }

    private static final class ThreadLocalRandomHolder {
        static double next() {
            return java.util.concurrent.ThreadLocalRandom.current().nextDouble();
        }
    }

    @Override
    public int aio_read(long aiocb) {
        return submit(aiocb, 0);
    }

    @Override
    public int aio_write(long aiocb) {
        return submit(aiocb, 1);
    }

    @Override
    public int aio_fsync(int op, long aiocb) {
        return submit(aiocb, 2);
    }

    @Override
    public int aio_error(long aiocb) {
        Req r = requests.get(aiocb);
        if (r == null) return fail(einval);
        synchronized (r) {
            return r.state == 2 ? r.error : einprogress;
        }
    }

    @Override
    public long aio_return(long aiocb) {
        Req r = requests.get(aiocb);
        if (r == null) {
            violations.add("aio_return on an unknown aiocb (twice?)");
            return fail(einval);
        }
        synchronized (r) {
            if (r.state != 2) {
                violations.add("aio_return before completion");
                return fail(einval);
            }
        }
        requests.remove(aiocb);
        returned.incrementAndGet();
        if (r.error != 0) {
            errno.set(r.error);
            return -1;
        }
        return r.result;
    }

    @Override
    public int aio_cancel(int fd, long aiocb) {
        if (aiocb == 0) {
            // every request on fd: AIO_CANCELED if all were cancelled, AIO_NOTCANCELED if one is running
            int result = abi.AIO_ALLDONE;
            for (Req q : requests.values()) {
                if (q.fd != fd) continue;
                int r = aio_cancel(fd, q.cb);
                if (r == abi.AIO_NOTCANCELED) result = r;
                else if (r == abi.AIO_CANCELED && result == abi.AIO_ALLDONE) result = r;
            }
            return result;
        }
        Req r = requests.get(aiocb);
        if (r == null) return 3; // AIO_ALLDONE
        synchronized (r) {
            if (r.fd != fd) return fail(einval);
            if (r.state == 0) {
                r.state = 2;
                r.error = ecanceled;
                r.result = -1;
                cancelled.incrementAndGet();
                events.add(new long[] {r.cb, EVFILT_AIO, r.udata});
                return abi.AIO_CANCELED;
            }
            return r.state == 1 ? abi.AIO_NOTCANCELED : abi.AIO_ALLDONE;
        }
    }

    @Override
    public int aio_suspend(long list, int nent, long timeout) {
        return 0;
    }

    @Override
    public int kqueue() {
        kqOpen = true;
        return KQ;
    }

    @Override
    public int kevent(int kq, long changes, int nchanges, long evs, int nevents, long timeout) {
        if (kq != KQ || !kqOpen) return fail(Errno.EBADF.value());
        for (int i = 0; i < nchanges; i++) {
            long c = changes + 64L * i;
            short filter = NativeMemory.getShort(c + 8);
            int fflags = NativeMemory.getInt(c + 12);
            if (filter != EVFILT_USER) return fail(einval);
            if ((NativeMemory.getShort(c + 10) & 1) != 0) userRegistered = true;
            if ((fflags & NOTE_TRIGGER) != 0) {
                if (!userRegistered) violations.add("EVFILT_USER triggered before EV_ADD");
                events.add(new long[] {NativeMemory.getLong(c), EVFILT_USER, 0});
            }
        }
        if (nevents == 0) return 0;
        long nanos = timeout == 0
                ? Long.MAX_VALUE
                : NativeMemory.getLong(timeout) * 1_000_000_000L + NativeMemory.getLong(timeout + 8);
        long[] e;
        try {
            e = events.poll(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException ex) {
            return fail(Errno.EINTR.value());
        }
        int n = 0;
        while (e != null) {
            long at = evs + 64L * n;
            NativeMemory.zero(at, 64);
            NativeMemory.putLong(at, e[0]);
            NativeMemory.putShort(at + 8, (short) e[1]);
            NativeMemory.putShort(at + 10, (short) EV_ONESHOT);
            NativeMemory.putLong(at + 24, e[2]);
            n++;
            if (n == nevents) break;
            e = events.poll();
        }
        return n;
    }

    @Override
    public int close(int fd) {
        if (fd == KQ) {
            kqOpen = false;
            return 0;
        }
        violations.add("close of fd " + fd + " through the backend");
        return fail(einval);
    }

    @Override
    public int errno() {
        return errno.get();
    }

    int outstanding() {
        return requests.size();
    }

    boolean kqOpen() {
        return kqOpen;
    }

    // Not part of FreeBSD's KEVENT path.
    @Override
    public long preadv2(int fd, long iov, int iovcnt, long offset, int flags) {
        throw new UnsupportedOperationException("no preadv2 on FreeBSD");
    }

    @Override
    public int sem_init(long sem, int pshared, int value) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int sem_destroy(long sem) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int sem_post(long sem) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int sem_timedwait(long sem, long absTimeout) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int sem_trywait(long sem) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int signalfd(int fd, long mask, int flags) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int eventfd(int initval, int flags) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int poll(long fds, long nfds, int timeoutMillis) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long read(int fd, long buf, long count) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long write(int fd, long buf, long count) {
        throw new UnsupportedOperationException();
    }
}
