package org.aio4j.internal;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.Library;
import com.kenai.jffi.Type;

/**
 * The few C functions that opening, sizing, closing and copying a file need ({@code open}, {@code close}, {@code
 * lseek}, {@code ftruncate}, {@code sendfile}), called through jffi's invokers directly rather than through the
 * {@link LibC} binding: jnr-ffi generates the binding's classes at run time (ASM, about 85 ms of a command's start,
 * and never in a class-data archive), and {@code aio copy} needs none of the AIO functions when the kernel copies.
 * The same symbols of the same library as {@link LibC} (the C library as jnr-ffi names it), the same argument types
 * ({@code open} as a variadic call, like {@link LibC#open}), errno saved the same way ({@link NativeLib#errno()}).
 * Where the library or a symbol cannot be found this way, every method calls {@link NativeLib#libc()} instead.
 */
public final class Syscalls {
    private static final Library LIBC = libc();
    private static final long OPEN = address("open");
    private static final long CLOSE = address("close");
    private static final long LSEEK = address("lseek");
    private static final long FTRUNCATE = address("ftruncate");
    private static final long SENDFILE = address("sendfile");
    private static final long SYSCALL = address("syscall");

    private Syscalls() {}

    private static Library libc() {
        try {
            return Library.getCachedInstance(
                    jnr.ffi.Platform.getNativePlatform().mapLibraryName("c"), Library.LAZY | Library.GLOBAL);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    private static long address(String name) {
        try {
            return LIBC == null ? 0 : LIBC.getSymbolAddress(name);
        } catch (RuntimeException | LinkageError e) {
            return 0;
        }
    }

    /** True when {@code aio_error} is in the C library itself (glibc 2.34+, musl, the BSDs, macOS). */
    static boolean aioInLibc() {
        return address("aio_error") != 0 && OPEN != 0 && CLOSE != 0 && LSEEK != 0 && FTRUNCATE != 0;
    }

    private static CallContext context(Type result, Type... params) {
        return CallContext.getCallContext(result, params, CallingConvention.DEFAULT, true); // saves errno
    }

    /** Loaded on first use. */
    private static final class Contexts {
        static final CallContext OPEN = CallContext.getCallContext(
                Type.SINT, 2, new Type[] {Type.POINTER, Type.SINT, Type.SINT}, CallingConvention.DEFAULT, true);
        static final CallContext INT_INT = context(Type.SINT, Type.SINT);
        static final CallContext LSEEK = context(Type.SINT64, Type.SINT, Type.SINT64, Type.SINT);
        static final CallContext FTRUNCATE = context(Type.SINT, Type.SINT, Type.SINT64);
        static final CallContext SENDFILE = context(Type.SLONG, Type.SINT, Type.SINT, Type.POINTER, Type.ULONG);
        static final CallContext SYSCALL5 =
                context(Type.SLONG, Type.SLONG, Type.SLONG, Type.SLONG, Type.SLONG, Type.SLONG);
        static final CallContext SYSCALL6 =
                context(Type.SLONG, Type.SLONG, Type.SLONG, Type.SLONG, Type.SLONG, Type.SLONG, Type.SLONG);
    }

    /**
     * {@code int open(const char *pathname, int flags, ...)} with a mode, as {@link LibC#open}.
     *
     * @param pathname the path, NUL-terminated
     * @param flags the open flags
     * @param mode the mode for a created file
     * @return the fd, or -1 ({@link NativeLib#errno()})
     */
    public static int open(byte[] pathname, int flags, int mode) {
        if (OPEN == 0) return NativeLib.libc().open(pathname, flags, mode);
        long p = NativeMemory.allocate(pathname.length);
        try {
            com.kenai.jffi.MemoryIO.getInstance().putByteArray(p, pathname, 0, pathname.length);
            return (int) Invoker.getInstance().invokeN3(Contexts.OPEN, OPEN, p, flags, mode);
        } finally {
            NativeMemory.free(p, pathname.length);
        }
    }

    /**
     * {@code int close(int fd)}.
     *
     * @param fd the fd
     * @return 0, or -1 ({@link NativeLib#errno()})
     */
    public static int close(int fd) {
        if (CLOSE == 0) return NativeLib.libc().close(fd);
        return (int) Invoker.getInstance().invokeN1(Contexts.INT_INT, CLOSE, fd);
    }

    /**
     * {@code off_t lseek(int fd, off_t offset, int whence)}.
     *
     * @param fd the fd
     * @param offset the offset
     * @param whence SEEK_SET, SEEK_END, SEEK_DATA...
     * @return the new offset, or -1 ({@link NativeLib#errno()})
     */
    public static long lseek(int fd, long offset, int whence) {
        if (LSEEK == 0) return NativeLib.libc().lseek(fd, offset, whence);
        return Invoker.getInstance().invokeN3(Contexts.LSEEK, LSEEK, fd, offset, whence);
    }

    /**
     * {@code int ftruncate(int fd, off_t length)}.
     *
     * @param fd the fd
     * @param length the new length
     * @return 0, or -1 ({@link NativeLib#errno()})
     */
    public static int ftruncate(int fd, long length) {
        if (FTRUNCATE == 0) return NativeLib.libc().ftruncate(fd, length);
        return (int) Invoker.getInstance().invokeN2(Contexts.FTRUNCATE, FTRUNCATE, fd, length);
    }

    /**
     * {@code ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count)} (Linux), as {@link
     * LibCGnu#sendfile}.
     *
     * @param outFd the target fd
     * @param inFd the source fd
     * @param offset the address of the source offset, advanced by the call
     * @param count bytes at most
     * @return the byte count, or -1 ({@link NativeLib#errno()})
     */
    public static long sendfile(int outFd, int inFd, long offset, long count) {
        if (SENDFILE == 0) return NativeLib.gnu().sendfile(outFd, inFd, offset, count);
        return Invoker.getInstance().invokeN4(Contexts.SENDFILE, SENDFILE, outFd, inFd, offset, count);
    }

    /** True when {@code syscall(2)} was found ({@link #syscall} may be called). */
    static boolean hasSyscall() {
        return SYSCALL != 0;
    }

    /**
     * {@code long syscall(long number, ...)} with four arguments, every one passed as a 64-bit integer (variadic
     * integer arguments travel in the same registers as fixed ones on x86_64 and aarch64 Linux). Only where {@link
     * #hasSyscall()}.
     *
     * @param number the system call's number on this architecture
     * @param a the first argument
     * @param b the second argument
     * @param c the third argument
     * @param d the fourth argument
     * @return the result, or -1 ({@link NativeLib#errno()})
     */
    static long syscall(long number, long a, long b, long c, long d) {
        return Invoker.getInstance().invokeN5(Contexts.SYSCALL5, SYSCALL, number, a, b, c, d);
    }

    /**
     * {@code long syscall(long number, ...)} with five arguments, as {@link #syscall(long, long, long, long, long)}.
     *
     * @param number the system call's number on this architecture
     * @param a the first argument
     * @param b the second argument
     * @param c the third argument
     * @param d the fourth argument
     * @param e the fifth argument
     * @return the result, or -1 ({@link NativeLib#errno()})
     */
    static long syscall(long number, long a, long b, long c, long d, long e) {
        return Invoker.getInstance().invokeN6(Contexts.SYSCALL6, SYSCALL, number, a, b, c, d, e);
    }
}
