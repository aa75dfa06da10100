package org.aio4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.aio4j.AioCancelledException;
import org.aio4j.AioException;
import org.aio4j.AioFile;
import org.aio4j.AioTryAgainException;
import org.aio4j.engine.internal.NativePosix;
import org.aio4j.engine.internal.Posix;
import org.aio4j.internal.AioAbi;
import org.aio4j.internal.Errno;
import org.aio4j.internal.NativeLib;
import org.aio4j.internal.NativeMemory;
import org.aio4j.internal.TestAbis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link AioEngine.Batch}: many ops with one {@code lio_listio}, and every way a batch can go wrong. */
class EngineBatchTest {
    static final int BS = 4096;

    @TempDir
    Path dir;

    /** Records every outcome per op index; counts calls so that a second call for one op is seen. */
    static final class Recorder implements AioHandler<Integer> {
        final AtomicIntegerArray calls;
        final long[] results;
        final AtomicReferenceArray<AioException> errors;
        final CountDownLatch done;
        final ConcurrentLinkedQueue<String> threads = new ConcurrentLinkedQueue<>();

        Recorder(int n) {
            calls = new AtomicIntegerArray(n);
            results = new long[n];
            errors = new AtomicReferenceArray<>(n);
            done = new CountDownLatch(n);
        }

        @Override
        public void completed(long result, Integer i) {
            results[i] = result;
            calls.incrementAndGet(i);
            done.countDown();
        }

        @Override
        public void failed(AioException error, Integer i) {
            errors.set(i, error);
            calls.incrementAndGet(i);
            done.countDown();
        }

        void await() throws InterruptedException {
            assertThat(done.await(20, TimeUnit.SECONDS))
                    .as("every handler called")
                    .isTrue();
        }

        void assertEachOnce() throws InterruptedException {
            await();
            Thread.sleep(20); // a second (wrong) call would arrive about now
            for (int i = 0; i < calls.length(); i++)
                assertThat(calls.get(i)).as("calls of op %d", i).isEqualTo(1);
        }
    }

    /**
     * Delegates to the real C calls and counts them; optionally turns one {@code lio_listio} into the glibc failure
     * the engine must survive: only the first {@code queueOnly} entries are really queued, one entry is refused the
     * way glibc refuses a bad {@code aio_reqprio} ({@code __error_code} EINVAL, {@code __return_value} -1), the
     * rest keep whatever the engine wrote, and the call returns -1 with EAGAIN.
     */
    static final class CountingPosix implements Posix {
        final Posix real = NativePosix.INSTANCE;
        final AioAbi abi = NativeLib.abi();
        final AtomicInteger lioCalls = new AtomicInteger();
        /** The longest list passed to one {@code lio_listio}. */
        final AtomicInteger maxLioEntries = new AtomicInteger();

        final AtomicInteger singleSubmits = new AtomicInteger();
        volatile int queueOnly = -1;
        volatile int refuseIndex = -1;
        /** Non-zero: {@code preadv2} fails with this errno without being called (a file system without it). */
        volatile int preadv2Errno;

        final AtomicInteger preadv2Calls = new AtomicInteger();
        private final ThreadLocal<int[]> fakeErrno = ThreadLocal.withInitial(() -> new int[1]);

        @Override
        public int lio_listio(int mode, long list, int nent, long sig) {
            lioCalls.incrementAndGet();
            maxLioEntries.accumulateAndGet(nent, Math::max);
            int q = queueOnly;
            if (q < 0) return real.lio_listio(mode, list, nent, sig);
            queueOnly = -1;
            int k = Math.min(q, nent);
            if (k > 0) assertThat(real.lio_listio(mode, list, k, sig)).isZero();
            int r = refuseIndex;
            if (r >= k && r < nent) {
                long cb = NativeMemory.getLong(list + 8L * r);
                NativeMemory.putInt(cb + abi.GLIBC_AIOCB_ERROR_CODE_OFFSET, Errno.EINVAL.value());
                NativeMemory.putLong(cb + abi.GLIBC_AIOCB_RETURN_VALUE_OFFSET, -1L);
            }
            fakeErrno.get()[0] = Errno.EAGAIN.value();
            return -1;
        }

        @Override
        public int errno() {
            int[] f = fakeErrno.get();
            if (f[0] != 0) {
                int e = f[0];
                f[0] = 0;
                return e;
            }
            return real.errno();
        }

        @Override
        public int aio_read(long aiocb) {
            singleSubmits.incrementAndGet();
            return real.aio_read(aiocb);
        }

        @Override
        public int aio_write(long aiocb) {
            singleSubmits.incrementAndGet();
            return real.aio_write(aiocb);
        }

        @Override
        public int aio_fsync(int op, long aiocb) {
            return real.aio_fsync(op, aiocb);
        }

        @Override
        public int aio_error(long aiocb) {
            return real.aio_error(aiocb);
        }

        @Override
        public long aio_return(long aiocb) {
            return real.aio_return(aiocb);
        }

        @Override
        public int aio_cancel(int fd, long aiocb) {
            return real.aio_cancel(fd, aiocb);
        }

        @Override
        public int aio_suspend(long list, int nent, long timeout) {
            return real.aio_suspend(list, nent, timeout);
        }

        @Override
        public long preadv2(int fd, long iov, int iovcnt, long offset, int flags) {
            preadv2Calls.incrementAndGet();
            int e = preadv2Errno;
            if (e != 0) {
                fakeErrno.get()[0] = e;
                return -1;
            }
            return real.preadv2(fd, iov, iovcnt, offset, flags);
        }

        @Override
        public int sem_init(long sem, int pshared, int value) {
            return real.sem_init(sem, pshared, value);
        }

        @Override
        public int sem_destroy(long sem) {
            return real.sem_destroy(sem);
        }

        @Override
        public int sem_post(long sem) {
            return real.sem_post(sem);
        }

        @Override
        public int sem_timedwait(long sem, long absTimeout) {
            return real.sem_timedwait(sem, absTimeout);
        }

        @Override
        public int sem_trywait(long sem) {
            return real.sem_trywait(sem);
        }

        @Override
        public int kqueue() {
            return real.kqueue();
        }

        @Override
        public int kevent(int kq, long changes, int nchanges, long events, int nevents, long timeout) {
            return real.kevent(kq, changes, nchanges, events, nevents, timeout);
        }

        @Override
        public int signalfd(int fd, long mask, int flags) {
            return real.signalfd(fd, mask, flags);
        }

        @Override
        public int eventfd(int initval, int flags) {
            return real.eventfd(initval, flags);
        }

        @Override
        public int poll(long fds, long nfds, int timeoutMillis) {
            return real.poll(fds, nfds, timeoutMillis);
        }

        @Override
        public long read(int fd, long buf, long count) {
            return real.read(fd, buf, count);
        }

        @Override
        public long write(int fd, long buf, long count) {
            return real.write(fd, buf, count);
        }

        @Override
        public int close(int fd) {
            return real.close(fd);
        }
    }

    static AioEngine counting(CountingPosix px, int maxInFlight) {
        AioEngine.Builder b = AioEngine.builder().maxInFlight(maxInFlight).cachedReadFastPath(false);
        b.posix = px;
        b.abi = px.abi;
        return b.build();
    }

    static boolean glibc() {
        return NativeLib.abi().GLIBC_AIOCB_ERROR_CODE_OFFSET >= 0;
    }

    @Test
    void sixtyFourMixedReadsAndWritesWithOneLioListioByteExact() throws Exception {
        Path p = dir.resolve("data");
        EngineTestSupport.writeInitial(p, 64, BS);
        var base = EngineTestSupport.Baseline.take();
        CountingPosix px = new CountingPosix();
        try (AioEngine engine = counting(px, 128);
                AioFile file = AioFile.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Recorder rec = new Recorder(64);
            ByteBuffer[] bufs = new ByteBuffer[64];
            List<CompletableFuture<Integer>> futures = new ArrayList<>();
            AioEngine.Batch batch = engine.batch();
            for (int i = 0; i < 64; i++) {
                bufs[i] = ByteBuffer.allocateDirect(BS);
                if (i % 2 == 0) {
                    EngineTestSupport.fill(bufs[i], i, 1); // even blocks get version 1
                    batch.write(file, (long) i * BS, bufs[i], i, rec);
                } else {
                    batch.read(file, (long) i * BS, bufs[i], i, rec); // odd blocks keep version 0
                }
            }
            ByteBuffer fb = ByteBuffer.allocateDirect(BS);
            futures.add(batch.read(file, 63L * BS, fb));
            assertThat(batch.size()).isEqualTo(65);
            long[] tokens = batch.submit();
            assertThat(tokens).hasSize(65);
            rec.assertEachOnce();
            assertThat(futures.get(0).get(10, TimeUnit.SECONDS)).isEqualTo(BS);
            assertThat(EngineTestSupport.matches(fb, 63, 0)).isTrue();
            for (int i = 0; i < 64; i++) {
                assertThat(rec.errors.get(i)).as("op %d", i).isNull();
                assertThat(rec.results[i]).isEqualTo(BS);
                if (i % 2 == 1)
                    assertThat(EngineTestSupport.matches(bufs[i], i, 0))
                            .as("read %d", i)
                            .isTrue();
            }
            byte[] all = Files.readAllBytes(p);
            for (int i = 0; i < 64; i++) {
                assertThat(EngineTestSupport.blockIs(all, i, BS, i % 2 == 0 ? 1 : 0))
                        .as("block %d", i)
                        .isTrue();
            }
            if (glibc()) {
                assertThat(px.lioCalls.get()).as("lio_listio calls").isEqualTo(1);
                assertThat(px.singleSubmits.get())
                        .as("aio_read/aio_write calls")
                        .isZero();
            } else {
                assertThat(px.singleSubmits.get()).isEqualTo(65);
            }
            assertThat(engine.metrics().submitted()).isEqualTo(65);
            assertThat(engine.metrics().completed()).isEqualTo(65);
            assertThatThrownBy(batch::submit).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> batch.read(file, 0, fb, 0, rec)).isInstanceOf(IllegalStateException.class);
        }
        base.assertBack();
    }

    @Test
    void entriesAFailedLioListioDidNotQueueAreSubmittedAloneAndARefusedOneFailsTyped() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(glibc(), "glibc only");
        Path p = dir.resolve("data");
        EngineTestSupport.writeInitial(p, 16, BS);
        var base = EngineTestSupport.Baseline.take();
        CountingPosix px = new CountingPosix();
        px.queueOnly = 6; // entries 0..5 queued, 6..15 not
        px.refuseIndex = 10; // refused by glibc with EINVAL (as for a bad aio_reqprio)
        try (AioEngine engine = counting(px, 64);
                AioFile file = AioFile.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Recorder rec = new Recorder(16);
            ByteBuffer[] bufs = new ByteBuffer[16];
            AioEngine.Batch batch = engine.batch();
            for (int i = 0; i < 16; i++) {
                bufs[i] = ByteBuffer.allocateDirect(BS);
                if (i < 8) {
                    EngineTestSupport.fill(bufs[i], i, 1);
                    batch.write(file, (long) i * BS, bufs[i], i, rec);
                } else {
                    batch.read(file, (long) i * BS, bufs[i], i, rec);
                }
            }
            batch.submit();
            rec.assertEachOnce();
            for (int i = 0; i < 16; i++) {
                if (i == 10) {
                    AioException e = rec.errors.get(i);
                    assertThat(e).isNotNull();
                    assertThat(e.errnoName()).isEqualTo("EINVAL");
                    assertThat(e.operation()).isEqualTo("aio_read");
                    assertThat(e.position()).isEqualTo(10L * BS);
                    continue;
                }
                assertThat(rec.errors.get(i)).as("op %d", i).isNull();
                assertThat(rec.results[i]).isEqualTo(BS);
                if (i >= 8)
                    assertThat(EngineTestSupport.matches(bufs[i], i, 0))
                            .as("read %d", i)
                            .isTrue();
            }
            byte[] all = Files.readAllBytes(p);
            for (int i = 0; i < 16; i++) {
                assertThat(EngineTestSupport.blockIs(all, i, BS, i < 8 ? 1 : 0))
                        .as("block %d", i)
                        .isTrue();
            }
            assertThat(px.lioCalls.get()).as("lio_listio calls").isEqualTo(1);
            assertThat(px.singleSubmits.get())
                    .as("not-queued entries submitted alone")
                    .isEqualTo(9);
            assertThat(engine.metrics().retries()).isEqualTo(9);
            assertThat(engine.metrics().failed()).isEqualTo(1);
        }
        base.assertBack();
    }

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void aBadFdEntryFailsTypedWhileTheOthersCompleteAndNothingLeaks(EngineBackend backend) throws Exception {
        Path p = dir.resolve("data");
        EngineTestSupport.writeInitial(p, 16, BS);
        var base = EngineTestSupport.Baseline.take();
        try (AioEngine engine = EngineTestSupport.builder(backend)
                        .cachedReadFastPath(false)
                        .build();
                AioFile file = AioFile.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            AioFile bogus = AioFile.adopt(900_000, dir.resolve("bogus"));
            Recorder rec = new Recorder(17);
            ByteBuffer[] bufs = new ByteBuffer[17];
            AioEngine.Batch batch = engine.batch();
            for (int i = 0; i < 17; i++) {
                bufs[i] = ByteBuffer.allocateDirect(BS);
                if (i == 7) {
                    batch.read(bogus, 0, bufs[i], i, rec);
                } else if (i % 2 == 0) {
                    EngineTestSupport.fill(bufs[i], i % 16, 2);
                    batch.write(file, (long) (i % 16) * BS, bufs[i], i, rec);
                } else {
                    batch.read(file, (long) (i % 16) * BS, bufs[i], i, rec);
                }
            }
            batch.submit();
            rec.assertEachOnce();
            AioException e = rec.errors.get(7);
            assertThat(e).isNotNull();
            assertThat(e.errnoName()).isEqualTo("EBADF");
            assertThat(e.operation()).isEqualTo("aio_read");
            for (int i = 0; i < 17; i++) {
                if (i == 7) continue;
                assertThat(rec.errors.get(i)).as("op %d", i).isNull();
                assertThat(rec.results[i]).isEqualTo(BS);
                // odd blocks (1..15 but 7) are read, never written
                if (i % 2 == 1)
                    assertThat(EngineTestSupport.matches(bufs[i], i, 0))
                            .as("read %d", i)
                            .isTrue();
            }
            assertThat(engine.metrics().failed()).isEqualTo(1);
            assertThat(engine.metrics().completed()).isEqualTo(16);
            // the engine keeps serving
            ByteBuffer b = ByteBuffer.allocateDirect(BS);
            assertThat(engine.read(file, 3L * BS, b).get(10, TimeUnit.SECONDS)).isEqualTo(BS);
            assertThat(EngineTestSupport.matches(b, 3, 0)).isTrue();
        }
        base.assertBack();
    }

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void aBatchIntoDevFullFailsEachWriteWithEnospc(EngineBackend backend) throws Exception {
        Path p = dir.resolve("data");
        EngineTestSupport.writeInitial(p, 4, BS);
        var base = EngineTestSupport.Baseline.take();
        try (AioEngine engine = EngineTestSupport.builder(backend).build();
                AioFile full = AioFile.open(Path.of("/dev/full"), StandardOpenOption.WRITE);
                AioFile file = AioFile.open(p)) {
            Recorder rec = new Recorder(9);
            AioEngine.Batch batch = engine.batch();
            for (int i = 0; i < 8; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(512);
                batch.write(full, (long) i * 512, b, i, rec);
            }
            ByteBuffer rb = ByteBuffer.allocateDirect(BS);
            batch.read(file, 2L * BS, rb, 8, rec);
            batch.submit();
            rec.assertEachOnce();
            for (int i = 0; i < 8; i++) {
                assertThat(rec.errors.get(i)).as("op %d", i).isNotNull();
                assertThat(rec.errors.get(i).errnoName()).isEqualTo("ENOSPC");
                assertThat(rec.errors.get(i).path()).isEqualTo(Path.of("/dev/full"));
            }
            assertThat(rec.errors.get(8)).isNull();
            assertThat(EngineTestSupport.matches(rb, 2, 0)).isTrue();
        }
        base.assertBack();
    }

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void batchSubmitRacingCancelAllOfTheFile(EngineBackend backend) throws Exception {
        int iterations = Integer.getInteger("aio4j.engine.batchRaceIterations", 2_000);
        int ops = 8;
        Path p = dir.resolve("data");
        EngineTestSupport.writeInitial(p, ops, BS);
        var base = EngineTestSupport.Baseline.take();
        long cancelled = 0, completed = 0;
        try (AioEngine engine = EngineTestSupport.builder(backend)
                        .cachedReadFastPath(false)
                        .build();
                AioFile file = AioFile.open(p)) {
            ByteBuffer[] bufs = new ByteBuffer[ops];
            for (int i = 0; i < ops; i++) bufs[i] = ByteBuffer.allocateDirect(BS);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger cancelCalls = new AtomicInteger();
            Thread canceller = new Thread(() -> {
                while (!stop.get()) {
                    engine.cancelAll(file);
                    cancelCalls.incrementAndGet();
                    Thread.onSpinWait();
                }
            });
            canceller.start();
            try {
                for (int it = 0; it < iterations; it++) {
                    Recorder rec = new Recorder(ops);
                    AioEngine.Batch batch = engine.batch();
                    for (int i = 0; i < ops; i++) {
                        bufs[i].clear();
                        for (int k = 0; k < BS; k += 8) bufs[i].putLong(k, -1L);
                        batch.read(file, (long) i * BS, bufs[i], i, rec);
                    }
                    batch.submit();
                    rec.await();
                    for (int i = 0; i < ops; i++) {
                        assertThat(rec.calls.get(i))
                                .as("iteration %d op %d", it, i)
                                .isEqualTo(1);
                        AioException e = rec.errors.get(i);
                        if (e != null) {
                            assertThat(e).as("iteration %d op %d", it, i).isInstanceOf(AioCancelledException.class);
                            cancelled++;
                        } else {
                            assertThat(rec.results[i]).isEqualTo(BS);
                            assertThat(EngineTestSupport.matches(bufs[i], i, 0))
                                    .as("iteration %d op %d", it, i)
                                    .isTrue();
                            completed++;
                        }
                    }
                }
            } finally {
                stop.set(true);
                canceller.join();
            }
            assertThat(cancelled + completed).isEqualTo((long) iterations * ops);
            // nothing stranded: the file still works
            ByteBuffer b = ByteBuffer.allocateDirect(BS);
            assertThat(engine.read(file, 0, b).get(10, TimeUnit.SECONDS)).isEqualTo(BS);
            assertThat(engine.metrics().inFlight()).isZero();
            System.out.println("batch vs cancelAll(file): " + iterations + " batches of " + ops + ", cancelled "
                    + cancelled + ", completed " + completed + ", cancelAll calls " + cancelCalls.get());
        }
        base.assertBack();
    }

    /** A mixed batch in each notification mode of this machine (and, through the FreeBSD fake, per-op fallback). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(
            value = Notification.class,
            names = {"SUSPEND", "THREAD", "SIGNAL"})
    void mixedBatchInEachMode(Notification mode) throws Exception {
        runMixed(AioEngine.builder().notification(mode).cachedReadFastPath(false), null);
    }

    /** A mixed batch on each backend (io_uring: all SQEs published under one lock, one io_uring_enter). */
    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void mixedBatchOnEachBackend(EngineBackend backend) throws Exception {
        runMixed(EngineTestSupport.builder(backend).cachedReadFastPath(false), null);
    }

    @Test
    void withoutAKnownPrivateFieldTheBatchIsSubmittedOpByOp() throws Exception {
        AioAbi bsd = TestAbis.of("FreeBSD", "amd64");
        assertThat(bsd.GLIBC_AIOCB_ERROR_CODE_OFFSET).isEqualTo(AioAbi.ABSENT);
        FakeFreeBsdPosix fake = new FakeFreeBsdPosix(bsd, 0.2, 2);
        try {
            AioEngine.Builder b = AioEngine.builder();
            b.posix = fake;
            b.abi = bsd;
            runMixed(b, fake);
            assertThat(fake.violations).isEmpty();
            assertThat(fake.outstanding()).as("requests never aio_return'ed").isZero();
            assertThat(fake.returned.get()).isEqualTo(fake.submitted.get());
        } finally {
            fake.shutdown();
        }
    }

    private void runMixed(AioEngine.Builder builder, FakeFreeBsdPosix fake) throws Exception {
        int n = 32;
        Path p = dir.resolve("mixed");
        EngineTestSupport.writeInitial(p, n, BS);
        var base = EngineTestSupport.Baseline.take();
        try (AioEngine engine = builder.build();
                AioFile file = AioFile.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (int round = 1; round <= 3; round++) {
                Recorder rec = new Recorder(n);
                ByteBuffer[] bufs = new ByteBuffer[n];
                AioEngine.Batch batch = engine.batch();
                for (int i = 0; i < n; i++) {
                    bufs[i] = ByteBuffer.allocateDirect(BS);
                    // round r writes blocks with i % 3 == r % 3 and reads the others (last written in an earlier
                    // round, or never)
                    if (i % 3 == round % 3) {
                        EngineTestSupport.fill(bufs[i], i, round);
                        batch.write(file, (long) i * BS, bufs[i], i, rec);
                    } else {
                        batch.read(file, (long) i * BS, bufs[i], i, rec);
                    }
                }
                batch.submit();
                rec.assertEachOnce();
                for (int i = 0; i < n; i++) {
                    assertThat(rec.errors.get(i))
                            .as("%s round %d op %d", engine.mechanism(), round, i)
                            .isNull();
                    assertThat(rec.results[i]).isEqualTo(BS);
                    if (i % 3 != round % 3) {
                        int last = 0;
                        for (int r = 1; r < round; r++) if (i % 3 == r % 3) last = r;
                        assertThat(EngineTestSupport.matches(bufs[i], i, last))
                                .as("round %d read %d", round, i)
                                .isTrue();
                    }
                }
            }
            byte[] all = Files.readAllBytes(p);
            for (int i = 0; i < n; i++) {
                int last = 0;
                for (int r = 1; r <= 3; r++) if (i % 3 == r % 3) last = r;
                assertThat(EngineTestSupport.blockIs(all, i, BS, last))
                        .as("block %d", i)
                        .isTrue();
            }
        }
        base.assertBack();
    }

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void emptyBatchDoesNothing(EngineBackend backend) throws Exception {
        try (AioEngine engine = EngineTestSupport.builder(backend).build()) {
            AioEngine.Batch batch = engine.batch();
            assertThat(batch.size()).isZero();
            assertThat(batch.submit()).isEmpty();
            assertThat(engine.metrics().submitted()).isZero();
            assertThatThrownBy(batch::submit).isInstanceOf(IllegalStateException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void batchAfterCloseIsRefusedAndCallsNoHandler(EngineBackend backend) throws Exception {
        Path p = dir.resolve("data");
        EngineTestSupport.writeInitial(p, 1, BS);
        AioEngine engine = EngineTestSupport.builder(backend).build();
        try (AioFile file = AioFile.open(p)) {
            Recorder rec = new Recorder(1);
            AioEngine.Batch early = engine.batch();
            early.read(file, 0, ByteBuffer.allocateDirect(BS), 0, rec);
            engine.close();
            assertThatThrownBy(engine::batch)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
            assertThatThrownBy(early::submit)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
            assertThat(rec.calls.get(0)).isZero();
            assertThat(engine.metrics().submitted()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void bigBatchOverflowWaitsOrFailsPerPolicy(EngineBackend backend) throws Exception {
        Path p = dir.resolve("data");
        EngineTestSupport.writeInitial(p, 32, BS);
        var base = EngineTestSupport.Baseline.take();
        for (Overflow policy : Overflow.values()) {
            try (AioEngine engine = EngineTestSupport.builder(backend)
                            .maxInFlight(4)
                            .overflow(policy)
                            .cachedReadFastPath(false)
                            .build();
                    AioFile file = AioFile.open(p)) {
                Recorder rec = new Recorder(32);
                ByteBuffer[] bufs = new ByteBuffer[32];
                AioEngine.Batch batch = engine.batch();
                for (int i = 0; i < 32; i++) {
                    bufs[i] = ByteBuffer.allocateDirect(BS);
                    batch.read(file, (long) i * BS, bufs[i], i, rec);
                }
                batch.submit();
                rec.assertEachOnce();
                int ok = 0, rejected = 0;
                for (int i = 0; i < 32; i++) {
                    AioException e = rec.errors.get(i);
                    if (e == null) {
                        assertThat(EngineTestSupport.matches(bufs[i], i, 0)).isTrue();
                        ok++;
                    } else {
                        assertThat(e).isInstanceOf(AioTryAgainException.class);
                        rejected++;
                    }
                }
                if (policy == Overflow.WAIT) {
                    assertThat(ok).isEqualTo(32);
                } else {
                    // a fresh engine: the first 4 take the 4 slots, the other 28 find none
                    assertThat(ok).isEqualTo(4);
                    assertThat(rejected).isEqualTo(28);
                    assertThat(engine.metrics().rejected()).isEqualTo(28);
                }
            }
        }
        base.assertBack();
    }

    @ParameterizedTest
    @EnumSource(EngineBackend.class)
    void batchFuturesCompleteAndBadInputIsRefusedBeforeSubmission(EngineBackend backend) throws Exception {
        Path p = dir.resolve("data");
        EngineTestSupport.writeInitial(p, 2, BS);
        try (AioEngine engine = EngineTestSupport.builder(backend).build();
                AioFile file = AioFile.open(p)) {
            AioEngine.Batch batch = engine.batch();
            assertThatThrownBy(() -> batch.read(file, 0, ByteBuffer.allocate(8)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> batch.read(file, -1, ByteBuffer.allocateDirect(8)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() ->
                            batch.read(file, 0, ByteBuffer.allocateDirect(8).asReadOnlyBuffer()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> batch.write(null, 0, ByteBuffer.allocateDirect(8)))
                    .isInstanceOf(NullPointerException.class);
            assertThat(batch.size()).isZero();
            ByteBuffer a = ByteBuffer.allocateDirect(BS), empty = ByteBuffer.allocateDirect(0);
            CompletableFuture<Integer> fa = batch.read(file, BS, a);
            CompletableFuture<Integer> fe = batch.read(file, 0, empty);
            CompletableFuture<Integer> fw = batch.write(file, 0, ByteBuffer.allocateDirect(8)); // read-only fd
            batch.submit();
            assertThat(fa.get(10, TimeUnit.SECONDS)).isEqualTo(BS);
            assertThat(EngineTestSupport.matches(a, 1, 0)).isTrue();
            assertThat(fe.get(10, TimeUnit.SECONDS)).isZero();
            assertThatThrownBy(() -> fw.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(AioException.class)
                    .hasMessageContaining("EBADF");
        }
    }
}
