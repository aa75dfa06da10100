package org.aio4j.internal;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Loads the C surface once and records why it could not be loaded. aio_* live in libc since glibc 2.34 (and in
 * musl, FreeBSD's and macOS's libc), in librt on older glibc: libc is tried alone first, then libc with librt.
 *
 * <p>Nothing here throws at class initialisation: {@link #isAvailable()} and {@link #unavailabilityCause()} report
 * the outcome, and {@link #libc()} throws an {@link UnsupportedOperationException} carrying the cause. Where {@code
 * aio_error} is in the C library itself, availability is decided from its symbols (through jffi) and the jnr-ffi
 * binding is made on the first call of {@link #libc()} or {@link #gnu()}: should it then fail (it did not in any
 * test), those calls throw the same {@link UnsupportedOperationException} with its cause.
 */
public final class NativeLib {
    private static final AioAbi ABI;
    private static final Throwable CAUSE;

    static {
        AioAbi abi = null;
        Throwable cause = null;
        try {
            abi = AioAbi.current();
            // Where aio_error is in the C library itself, loading the binding below cannot fail for want of it: the
            // binding (jnr-ffi generating its classes, tens of milliseconds) then waits for its first use, which a
            // kernel copy never makes (Syscalls). Otherwise the binding is loaded now and decides, as it always did.
            if (!Syscalls.aioInLibc()) cause = Binding.CAUSE;
        } catch (Throwable t) {
            cause = t;
        }
        ABI = abi;
        CAUSE = cause;
    }

    /** The jnr-ffi binding, loaded on first use. */
    private static final class Binding {
        static final LibC LIBC;
        static final LibCGnu GNU;
        static final Throwable CAUSE;

        static {
            LibC libc = null;
            LibCGnu gnu = null;
            Runtime runtime = null;
            Throwable cause = null;
            try {
                AioAbi abi = AioAbi.current();
                libc = load(abi, "c");
                if (libc == null) libc = load(abi, "c", "rt");
                if (libc == null) throw new UnsatisfiedLinkError("aio_error was found neither in libc nor in librt");
                runtime = Runtime.getRuntime(libc);
                gnu = LibraryLoader.create(LibCGnu.class)
                        .failImmediately()
                        .library("c")
                        .load();
            } catch (Throwable t) {
                // failImmediately: a symbol missing from LibCGnu is fine, everything else is a cause
                if (libc != null && runtime != null) {
                    try {
                        gnu = LibraryLoader.create(LibCGnu.class).library("c").load();
                    } catch (Throwable t2) {
                        cause = t2;
                    }
                } else {
                    cause = t;
                }
            }
            LIBC = cause == null ? libc : null;
            GNU = cause == null ? gnu : null;
            CAUSE = cause;
        }

        static void ensureLoaded() {
            if (CAUSE != null) {
                throw new UnsupportedOperationException("POSIX AIO is unavailable: " + CAUSE, CAUSE);
            }
        }
    }

    private static LibC load(AioAbi abi, String... names) {
        try {
            LibraryLoader<LibC> loader = LibraryLoader.create(LibC.class);
            for (String n : names) loader.library(n);
            LibC lib = loader.load();
            // Probe with a zeroed aiocb: aio_error only reads it, and a never-submitted one reads as done.
            long cb = NativeMemory.allocate(abi.aiocb.size());
            try {
                lib.aio_error(cb);
            } finally {
                NativeMemory.free(cb, abi.aiocb.size());
            }
            return lib;
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
    }

    private NativeLib() {}

    /** True when the C library and a layout table for this platform were found. */
    public static boolean isAvailable() {
        return CAUSE == null;
    }

    /** Why POSIX AIO is unavailable, or null when it is available. */
    public static Throwable unavailabilityCause() {
        return CAUSE;
    }

    /** Throws the reason unless POSIX AIO is available. */
    public static void ensureAvailable() {
        if (CAUSE != null) {
            throw new UnsupportedOperationException("POSIX AIO is unavailable: " + CAUSE, CAUSE);
        }
    }

    /** The bound C functions (loaded on the first call). */
    public static LibC libc() {
        ensureAvailable();
        Binding.ensureLoaded();
        return Binding.LIBC;
    }

    /** glibc/Linux/BSD extras; each method may throw {@link UnsatisfiedLinkError} where the symbol is missing. */
    public static LibCGnu gnu() {
        ensureAvailable();
        Binding.ensureLoaded();
        return Binding.GNU;
    }

    /** The layout table of this platform. */
    public static AioAbi abi() {
        ensureAvailable();
        return ABI;
    }

    /**
     * True when the process can resolve the C symbol {@code name} (for optional functions such as {@code preadv2},
     * which musl before 1.2.4 lacks although the kernel has it).
     */
    public static boolean hasSymbol(String name) {
        try {
            return com.kenai.jffi.Library.getDefault().getSymbolAddress(name) != 0L;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /**
     * The errno saved by the last call of this thread into {@link LibC}, {@link LibCGnu} or {@link Syscalls} (jffi's,
     * which jnr-ffi's {@code Runtime.getLastError()} reads too).
     */
    public static int errno() {
        return com.kenai.jffi.LastError.getInstance().get();
    }
}
