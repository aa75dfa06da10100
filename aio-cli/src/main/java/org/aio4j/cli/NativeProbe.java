package org.aio4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.types.intptr_t;
import org.aio4j.internal.Errno;
import org.aio4j.internal.NativeMemory;

/** Small native look-ups for {@code aio stat}: the glibc version and whether io_uring could be set up. */
final class NativeProbe {
    private NativeProbe() {}

    /** The few C functions the probes call (C names). */
    public interface Sys {
        /** {@code syscall(number, arg1, arg2)}: -1 and errno on failure. */
        long syscall(long number, long arg1, @intptr_t long arg2);

        /** {@code close(fd)}. */
        int close(int fd);

        /** glibc's {@code gnu_get_libc_version()}; absent from other C libraries. */
        String gnu_get_libc_version();
    }

    private static volatile Sys sys;
    private static volatile jnr.ffi.Runtime runtime;

    private static Sys sys() {
        Sys s = sys;
        if (s == null) {
            s = LibraryLoader.create(Sys.class).library("c").load();
            runtime = jnr.ffi.Runtime.getRuntime(s);
            sys = s;
        }
        return s;
    }

    /** glibc's version, or null when the C library is not glibc. */
    static String glibcVersion() {
        try {
            return sys().gnu_get_libc_version();
        } catch (Throwable e) {
            return null;
        }
    }

    /** io_uring_setup's number on every Linux architecture with the unified syscall table (5.1+). */
    static final int SYS_IO_URING_SETUP = 425;

    /** sizeof(struct io_uring_params). */
    static final int IO_URING_PARAMS_SIZE = 120;

    /** Whether io_uring would be available to this process, with the reason. */
    static String ioUring() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(java.util.Locale.ROOT).startsWith("linux")) return "no (not Linux)";
        String arch = System.getProperty("os.arch", "");
        String sysctl = null;
        try {
            Path p = Path.of("/proc/sys/kernel/io_uring_disabled");
            if (Files.exists(p)) sysctl = Files.readString(p).trim();
        } catch (Exception ignored) {
            // unreadable: the probe below decides
        }
        String sysctlNote = sysctl == null ? "" : ", kernel.io_uring_disabled=" + sysctl;
        if (!(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            return "unknown (no probe for " + arch + ")" + sysctlNote;
        }
        long params = 0;
        try {
            Sys s = sys();
            params = NativeMemory.allocate(IO_URING_PARAMS_SIZE);
            long fd = s.syscall(SYS_IO_URING_SETUP, 1, params);
            int errno = runtime.getLastError();
            if (fd >= 0) {
                s.close((int) fd);
                return "yes (io_uring_setup succeeded" + sysctlNote + ")";
            }
            String name = Errno.name(errno);
            String why = switch (name == null ? "" : name) {
                case "ENOSYS" -> "the kernel has no io_uring";
                case "EPERM" -> "not permitted (sysctl or seccomp)";
                case "ENOMEM" -> "no memory for rings (RLIMIT_MEMLOCK?)";
                default -> "io_uring_setup failed";
            };
            return "no (" + why + ": " + name + sysctlNote + ")";
        } catch (Throwable e) {
            return "unknown (" + e.getClass().getSimpleName() + sysctlNote + ")";
        } finally {
            if (params != 0) NativeMemory.free(params, IO_URING_PARAMS_SIZE);
        }
    }
}
