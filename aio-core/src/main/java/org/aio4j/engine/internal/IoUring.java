package org.aio4j.engine.internal;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.HeapInvocationBuffer;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.aio4j.AioException;
import org.aio4j.internal.Errno;
import org.aio4j.internal.NativeLib;
import org.aio4j.internal.NativeMemory;

/**
 * The io_uring system calls and struct layouts of Linux ({@code <linux/io_uring.h>}), for {@link IoUringBackend}.
 * The calls go through libc's {@code syscall(2)}, {@code mmap(2)} and {@code munmap(2)} with jffi's invokers (not
 * a JNR interface method: jnr-ffi's generated six-argument stub passes garbage as the sixth argument, see {@code
 * KernelCopy}). The layouts are the kernel's UAPI, fixed since Linux 5.1 on every 64-bit architecture;
 * {@code IoUringAbiTest} compiles a C program against the installed header and compares every constant here.
 *
 * <p>{@link #unavailabilityCause()} probes once (an {@code io_uring_setup} of a 2-entry ring, closed at once):
 * the call can be refused by seccomp (containers: ENOSYS or EPERM), by {@code kernel.io_uring_disabled} (EPERM),
 * or be missing (kernels before 5.1); the features the backend needs ({@code IORING_FEAT_NODROP}, {@code
 * IORING_FEAT_EXT_ARG}: Linux 5.11) are checked too.
 */
public final class IoUring {
    private IoUring() {}

    // ---------------------------------------------------------------------------------------- system calls
    /** {@code __NR_io_uring_setup}: the same on every architecture's unified table (x86_64, aarch64, riscv64...). */
    public static final int NR_IO_URING_SETUP = 425;
    /** {@code __NR_io_uring_enter}. */
    public static final int NR_IO_URING_ENTER = 426;
    /** {@code __NR_io_uring_register}. */
    public static final int NR_IO_URING_REGISTER = 427;

    // ---------------------------------------------------------------------------------------- opcodes
    /** {@code IORING_OP_NOP}. */
    public static final int IORING_OP_NOP = 0;
    /** {@code IORING_OP_READV}: {@code preadv} with an {@code iovec} array ({@code addr}) of {@code len} entries. */
    public static final int IORING_OP_READV = 1;
    /** {@code IORING_OP_WRITEV}: {@code pwritev} with an {@code iovec} array ({@code addr}) of {@code len} entries. */
    public static final int IORING_OP_WRITEV = 2;
    /** {@code IORING_OP_FSYNC}. */
    public static final int IORING_OP_FSYNC = 3;
    /** {@code IORING_OP_ASYNC_CANCEL}. */
    public static final int IORING_OP_ASYNC_CANCEL = 14;
    /** {@code IORING_OP_READ} (Linux 5.6). */
    public static final int IORING_OP_READ = 22;
    /** {@code IORING_OP_WRITE} (Linux 5.6). */
    public static final int IORING_OP_WRITE = 23;
    /** {@code IORING_FSYNC_DATASYNC}: {@code fdatasync} instead of {@code fsync}. */
    public static final int IORING_FSYNC_DATASYNC = 1;

    // ---------------------------------------------------------------------------------------- struct iovec
    /** {@code UIO_MAXIOV} ({@code <linux/uio.h>}): the most {@code iovec}s one READV/WRITEV takes (more: EINVAL). */
    public static final int UIO_MAXIOV = 1024;
    /** {@code sizeof(struct iovec)}: {@code void *iov_base; size_t iov_len;} (LP64). */
    public static final int IOVEC_SIZE = 16;
    /** {@code offsetof(struct iovec, iov_base)}. */
    public static final int IOVEC_BASE = 0;
    /** {@code offsetof(struct iovec, iov_len)}. */
    public static final int IOVEC_LEN = 8;

    // ---------------------------------------------------------------------------------------- flags
    /** {@code IORING_SETUP_CQSIZE}: {@code cq_entries} is given by the application. */
    public static final int IORING_SETUP_CQSIZE = 1 << 3;
    /** {@code IORING_SETUP_CLAMP}: clamp the ring sizes to the kernel's maximum instead of failing. */
    public static final int IORING_SETUP_CLAMP = 1 << 4;
    /** {@code IORING_SETUP_SUBMIT_ALL} (5.18): keep submitting after an SQE that failed. */
    public static final int IORING_SETUP_SUBMIT_ALL = 1 << 7;
    /** {@code IORING_SETUP_COOP_TASKRUN} (5.19): no IPI for task work; the single issuer enters often anyway. */
    public static final int IORING_SETUP_COOP_TASKRUN = 1 << 8;
    /** {@code IORING_FEAT_SINGLE_MMAP}: SQ and CQ rings share one mapping. */
    public static final int IORING_FEAT_SINGLE_MMAP = 1;
    /** {@code IORING_FEAT_NODROP}: a full CQ keeps completions instead of dropping them. */
    public static final int IORING_FEAT_NODROP = 1 << 1;
    /** {@code IORING_FEAT_EXT_ARG} (5.11): {@code io_uring_enter} takes a timeout. */
    public static final int IORING_FEAT_EXT_ARG = 1 << 8;
    /** {@code IORING_ENTER_GETEVENTS}. */
    public static final int IORING_ENTER_GETEVENTS = 1;
    /** {@code IORING_ENTER_EXT_ARG}. */
    public static final int IORING_ENTER_EXT_ARG = 1 << 3;
    /** {@code IORING_REGISTER_SYNC_CANCEL} (6.0). */
    public static final int IORING_REGISTER_SYNC_CANCEL = 24;
    /** {@code IORING_ASYNC_CANCEL_ALL} (5.19). */
    public static final int IORING_ASYNC_CANCEL_ALL = 1;
    /** {@code IORING_ASYNC_CANCEL_FD} (5.19). */
    public static final int IORING_ASYNC_CANCEL_FD = 1 << 1;
    /** {@code IORING_OFF_SQ_RING}: mmap offset of the SQ ring. */
    public static final long IORING_OFF_SQ_RING = 0L;
    /** {@code IORING_OFF_CQ_RING}. */
    public static final long IORING_OFF_CQ_RING = 0x8000000L;
    /** {@code IORING_OFF_SQES}. */
    public static final long IORING_OFF_SQES = 0x10000000L;

    // ---------------------------------------------------------------------------------------- layouts
    /**
     * {@code struct io_uring_sqe} (64 bytes), the fields used:
     *
     * <pre>
     * struct io_uring_sqe {
     *     __u8  opcode;           // 0
     *     __u8  flags;            // 1
     *     __u16 ioprio;           // 2
     *     __s32 fd;               // 4
     *     union { __u64 off; __u64 addr2; ... };         // 8
     *     union { __u64 addr; __u64 splice_off_in; };    // 16
     *     __u32 len;              // 24
     *     union { __u32 rw_flags; __u32 fsync_flags; __u32 cancel_flags; ... };  // 28
     *     __u64 user_data;        // 32
     *     ... buf_index, personality, splice_fd_in, addr3, pad (40..63)
     * };
     * </pre>
     */
    public static final int SQE_SIZE = 64;
    /** {@code offsetof(struct io_uring_sqe, opcode)}. */
    public static final int SQE_OPCODE = 0;
    /** {@code offsetof(struct io_uring_sqe, flags)}. */
    public static final int SQE_FLAGS = 1;
    /** {@code offsetof(struct io_uring_sqe, ioprio)}. */
    public static final int SQE_IOPRIO = 2;
    /** {@code offsetof(struct io_uring_sqe, fd)}. */
    public static final int SQE_FD = 4;
    /** {@code offsetof(struct io_uring_sqe, off)}. */
    public static final int SQE_OFF = 8;
    /** {@code offsetof(struct io_uring_sqe, addr)}. */
    public static final int SQE_ADDR = 16;
    /** {@code offsetof(struct io_uring_sqe, len)}. */
    public static final int SQE_LEN = 24;
    /** {@code offsetof(struct io_uring_sqe, rw_flags)} (also {@code fsync_flags}, {@code cancel_flags}). */
    public static final int SQE_OP_FLAGS = 28;
    /** {@code offsetof(struct io_uring_sqe, user_data)}. */
    public static final int SQE_USER_DATA = 32;
    /** {@code offsetof(struct io_uring_sqe, buf_index)}: from here to the end the SQE is zeroed. */
    public static final int SQE_BUF_INDEX = 40;

    /**
     * {@code struct io_uring_cqe} (16 bytes without {@code IORING_SETUP_CQE32}):
     *
     * <pre>
     * struct io_uring_cqe {
     *     __u64 user_data;   // 0
     *     __s32 res;         // 8
     *     __u32 flags;       // 12
     * };
     * </pre>
     */
    public static final int CQE_SIZE = 16;
    /** {@code offsetof(struct io_uring_cqe, user_data)}. */
    public static final int CQE_USER_DATA = 0;
    /** {@code offsetof(struct io_uring_cqe, res)}. */
    public static final int CQE_RES = 8;

    /**
     * {@code struct io_uring_params} (120 bytes):
     *
     * <pre>
     * struct io_uring_params {
     *     __u32 sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd; // 0..24
     *     __u32 resv[3];                                                                   // 28
     *     struct io_sqring_offsets sq_off;  // 40: head, tail, ring_mask, ring_entries, flags, dropped, array
     *     struct io_cqring_offsets cq_off;  // 80: head, tail, ring_mask, ring_entries, overflow, cqes, flags
     * };
     * </pre>
     */
    public static final int PARAMS_SIZE = 120;
    /** {@code offsetof(struct io_uring_params, sq_entries)}. */
    public static final int P_SQ_ENTRIES = 0;
    /** {@code offsetof(struct io_uring_params, cq_entries)}. */
    public static final int P_CQ_ENTRIES = 4;
    /** {@code offsetof(struct io_uring_params, flags)}. */
    public static final int P_FLAGS = 8;
    /** {@code offsetof(struct io_uring_params, features)}. */
    public static final int P_FEATURES = 20;
    /** {@code offsetof(struct io_uring_params, sq_off)}. */
    public static final int P_SQ_OFF = 40;
    /** {@code offsetof(struct io_uring_params, cq_off)}. */
    public static final int P_CQ_OFF = 80;
    /** {@code offsetof(struct io_sqring_offsets, head)} (same in {@code io_cqring_offsets}). */
    public static final int OFF_HEAD = 0;
    /** {@code offsetof(struct io_sqring_offsets, tail)} (same in {@code io_cqring_offsets}). */
    public static final int OFF_TAIL = 4;
    /** {@code offsetof(struct io_sqring_offsets, ring_mask)} (same in {@code io_cqring_offsets}). */
    public static final int OFF_RING_MASK = 8;
    /** {@code offsetof(struct io_sqring_offsets, ring_entries)} (same in {@code io_cqring_offsets}). */
    public static final int OFF_RING_ENTRIES = 12;
    /** {@code offsetof(struct io_sqring_offsets, array)}. */
    public static final int SQ_OFF_ARRAY = 24;
    /** {@code offsetof(struct io_cqring_offsets, cqes)}. */
    public static final int CQ_OFF_CQES = 20;

    /**
     * {@code struct io_uring_getevents_arg} (24 bytes), the {@code IORING_ENTER_EXT_ARG} argument:
     *
     * <pre>
     * struct io_uring_getevents_arg { __u64 sigmask; __u32 sigmask_sz; __u32 pad; __u64 ts; };
     * </pre>
     */
    public static final int GETEVENTS_ARG_SIZE = 24;
    /** {@code offsetof(struct io_uring_getevents_arg, ts)}: a pointer to a {@code struct __kernel_timespec}. */
    public static final int GETEVENTS_ARG_TS = 16;
    /** {@code sizeof(struct __kernel_timespec)}: {@code { __s64 tv_sec; long long tv_nsec; }}. */
    public static final int KERNEL_TIMESPEC_SIZE = 16;

    /**
     * {@code struct io_uring_sync_cancel_reg} (64 bytes), the {@code IORING_REGISTER_SYNC_CANCEL} argument:
     *
     * <pre>
     * struct io_uring_sync_cancel_reg {
     *     __u64 addr;                         // 0: user_data to match
     *     __s32 fd;                           // 8
     *     __u32 flags;                        // 12: IORING_ASYNC_CANCEL_*
     *     struct __kernel_timespec timeout;   // 16
     *     __u8 opcode; __u8 pad[7]; __u64 pad2[3];   // 32 (older headers: __u64 pad[4]); must be zero
     * };
     * </pre>
     */
    public static final int SYNC_CANCEL_SIZE = 64;
    /** {@code offsetof(struct io_uring_sync_cancel_reg, addr)}. */
    public static final int SC_ADDR = 0;
    /** {@code offsetof(struct io_uring_sync_cancel_reg, fd)}. */
    public static final int SC_FD = 8;
    /** {@code offsetof(struct io_uring_sync_cancel_reg, flags)}. */
    public static final int SC_FLAGS = 12;
    /** {@code offsetof(struct io_uring_sync_cancel_reg, timeout)}. */
    public static final int SC_TIMEOUT = 16;

    // mmap(2)
    static final int PROT_READ_WRITE = 0x1 | 0x2;
    static final int MAP_SHARED_POPULATE = 0x01 | 0x8000;

    // ---------------------------------------------------------------------------------------- invokers
    private static final class Calls {
        static final Invoker INVOKER = Invoker.getInstance();
        static final long SYSCALL = Library.getDefault().getSymbolAddress("syscall");
        static final long MMAP = Library.getDefault().getSymbolAddress("mmap");
        static final long MUNMAP = Library.getDefault().getSymbolAddress("munmap");
        static final CallContext SYSCALL_CTX = longs(6);
        static final CallContext SYSCALL7_CTX = longs(7);
        static final CallContext MMAP_CTX = CallContext.getCallContext(
                Type.POINTER,
                new Type[] {Type.POINTER, Type.ULONG, Type.SINT, Type.SINT, Type.SINT, Type.SLONG},
                CallingConvention.DEFAULT,
                true);
        static final CallContext MUNMAP_CTX = CallContext.getCallContext(
                Type.SINT, new Type[] {Type.POINTER, Type.ULONG}, CallingConvention.DEFAULT, true);

        private static CallContext longs(int n) {
            Type[] t = new Type[n];
            java.util.Arrays.fill(t, Type.SLONG);
            return CallContext.getCallContext(Type.SLONG, t, CallingConvention.DEFAULT, true);
        }
    }

    /** The errno of this thread's last call through this class. */
    static int errno() {
        return LastError.getInstance().get();
    }

    /** Test hook: when not 0, {@link #setup} fails with this errno without calling the kernel. */
    private static volatile int failSetupErrno;

    private static volatile Throwable probed;
    private static volatile boolean probeDone;

    /**
     * Test hook: makes every later {@code io_uring_setup} fail with {@code errno} (0: real calls again), and forgets
     * the cached probe so that {@link #unavailabilityCause()} answers for the new situation.
     */
    public static synchronized void failSetupForTests(int errno) {
        failSetupErrno = errno;
        probeDone = false;
        probed = null;
    }

    /** {@code io_uring_setup(entries, params)}: the ring fd, or -1 with {@link #errno()} set (or the hook's errno). */
    static int setup(int entries, long params) {
        int f = failSetupErrno;
        if (f != 0) return -f - 1_000_000; // decoded by setupErrno
        return (int)
                Calls.INVOKER.invokeN6(Calls.SYSCALL_CTX, Calls.SYSCALL, NR_IO_URING_SETUP, entries, params, 0, 0, 0);
    }

    /** The errno of a failed {@link #setup} result. */
    static int setupErrno(int rc) {
        return rc < -1 ? -(rc + 1_000_000) : errno();
    }

    /** {@code io_uring_enter(fd, toSubmit, minComplete, flags, NULL, 0)}: submitted count, or -1 with errno. */
    static int enter(int fd, int toSubmit, int minComplete, int flags) {
        // Six arguments to syscall(2): the seventh (argsz) is read by the kernel only with a non-NULL arg.
        return (int) Calls.INVOKER.invokeN6(
                Calls.SYSCALL_CTX, Calls.SYSCALL, NR_IO_URING_ENTER, fd, toSubmit, minComplete, flags, 0);
    }

    /**
     * {@code io_uring_enter(fd, toSubmit, minComplete, flags, arg, argsz)}: seven arguments to {@code syscall(2)},
     * passed through a heap invocation buffer (jffi's fast invokers stop at six). Allocates (about 300 bytes per
     * call, measured): used only for a short timed wait.
     */
    static int enterArg(int fd, int toSubmit, int minComplete, int flags, long arg, long argsz) {
        HeapInvocationBuffer b = new HeapInvocationBuffer(Calls.SYSCALL7_CTX);
        b.putLong(NR_IO_URING_ENTER);
        b.putLong(fd);
        b.putLong(toSubmit);
        b.putLong(minComplete);
        b.putLong(flags);
        b.putLong(arg);
        b.putLong(argsz);
        return (int) Calls.INVOKER.invokeLong(Calls.SYSCALL7_CTX, Calls.SYSCALL, b);
    }

    /** {@code io_uring_register(fd, opcode, arg, nrArgs)}: the kernel's answer, or -1 with errno. */
    static int register(int fd, int opcode, long arg, int nrArgs) {
        return (int) Calls.INVOKER.invokeN6(
                Calls.SYSCALL_CTX, Calls.SYSCALL, NR_IO_URING_REGISTER, fd, opcode, arg, nrArgs, 0);
    }

    /** {@code mmap(NULL, len, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_POPULATE, fd, offset)}; -1 on failure. */
    static long mmap(long len, int fd, long offset) {
        return Calls.INVOKER.invokeN6(
                Calls.MMAP_CTX, Calls.MMAP, 0L, len, PROT_READ_WRITE, MAP_SHARED_POPULATE, fd, offset);
    }

    /** {@code munmap(addr, len)}. */
    static int munmap(long addr, long len) {
        return (int) Calls.INVOKER.invokeN2(Calls.MUNMAP_CTX, Calls.MUNMAP, addr, len);
    }

    // ---------------------------------------------------------------------------------------- availability

    /**
     * Null if this process can use the io_uring backend; otherwise why not (an {@link AioException} with the errno
     * of a refused {@code io_uring_setup}, or an {@link UnsupportedOperationException} naming what is missing).
     * Probed once (and again after {@link #failSetupForTests}).
     */
    public static Throwable unavailabilityCause() {
        if (probeDone) return probed;
        synchronized (IoUring.class) {
            if (!probeDone) {
                probed = probe();
                probeDone = true;
            }
            return probed;
        }
    }

    private static Throwable probe() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux")) return new UnsupportedOperationException("io_uring is Linux only, not " + os);
        String arch = System.getProperty("os.arch", "");
        if (arch.equals("alpha") || arch.startsWith("mips") || arch.equals("x86") || arch.equals("i386")) {
            return new UnsupportedOperationException("io_uring: no 64-bit unified syscall numbers on " + arch);
        }
        if (!NativeLib.isAvailable()) return NativeLib.unavailabilityCause();
        long params = 0;
        try {
            params = NativeMemory.allocate(PARAMS_SIZE);
            int fd = setup(2, params);
            if (fd < 0) return refused(setupErrno(fd));
            int features = NativeMemory.getInt(params + P_FEATURES);
            NativePosix.INSTANCE.close(fd);
            int need = IORING_FEAT_NODROP | IORING_FEAT_EXT_ARG;
            if ((features & need) != need) {
                return new UnsupportedOperationException(
                        "io_uring: the kernel lacks IORING_FEAT_NODROP/IORING_FEAT_EXT_ARG (Linux 5.11 or later needed),"
                                + " features 0x" + Integer.toHexString(features));
            }
            return null;
        } catch (RuntimeException | LinkageError e) {
            return e;
        } finally {
            NativeMemory.free(params, PARAMS_SIZE);
        }
    }

    /**
     * The exception for a refused {@code io_uring_setup}: an {@link UnsupportedOperationException} whose message
     * says the likely reason, with the {@link AioException} of the errno as its cause ({@link AioException#find}).
     */
    static UnsupportedOperationException refused(int errno) {
        String why;
        if (errno == Errno.ENOSYS.value()) {
            why = "no io_uring in this kernel, or a seccomp filter (container) blocks it";
        } else if (errno == Errno.EPERM.value()) {
            why = "kernel.io_uring_disabled=" + disabledSysctl() + ", or a seccomp filter refuses it";
        } else {
            why = "refused by the kernel";
        }
        AioException e = AioException.of("io_uring_setup", errno);
        return new UnsupportedOperationException("io_uring is unavailable: " + e.getMessage() + ": " + why, e);
    }

    private static String disabledSysctl() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/io_uring_disabled"))
                    .trim();
        } catch (Exception e) {
            return "?";
        }
    }
}
