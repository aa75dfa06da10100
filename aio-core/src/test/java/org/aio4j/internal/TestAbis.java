package org.aio4j.internal;

/** Lets tests outside this package get the layout table of another platform (for fakes of its binding). */
public final class TestAbis {
    private TestAbis() {}

    /** The table {@link AioAbi#current()} would pick on {@code os}/{@code arch} with glibc. */
    public static AioAbi of(String os, String arch) {
        return AioAbi.select(os, arch, AioAbi.LinuxLibc.GLIBC);
    }
}
