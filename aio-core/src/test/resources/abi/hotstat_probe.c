/* Prints "NAME value" for every constant and layout that org.aio4j.internal.HotStat hard-codes (HotStatTest compares
 * them). Built against the installed <linux/openat2.h>, <linux/stat.h> and <fcntl.h>. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>
#include <linux/stat.h>

#define P(name, v) printf("%s %lld\n", name, (long long) (v))

int main(void) {
    P("OPEN_HOW_SIZE", sizeof(struct open_how));
    P("STATX_STRUCT_SIZE", sizeof(struct statx));
    P("STX_MASK", offsetof(struct statx, stx_mask));
    P("STX_MODE", offsetof(struct statx, stx_mode));
    P("STX_INO", offsetof(struct statx, stx_ino));
    P("STX_SIZE", offsetof(struct statx, stx_size));
    P("STX_MTIME_SEC", offsetof(struct statx, stx_mtime) + offsetof(struct statx_timestamp, tv_sec));
    P("STX_MTIME_NSEC", offsetof(struct statx, stx_mtime) + offsetof(struct statx_timestamp, tv_nsec));
    P("STX_DEV_MAJOR", offsetof(struct statx, stx_dev_major));
    P("STX_DEV_MINOR", offsetof(struct statx, stx_dev_minor));
    P("RESOLVE_NO_SYMLINKS", RESOLVE_NO_SYMLINKS);
    P("RESOLVE_CACHED", RESOLVE_CACHED);
    P("AT_FDCWD", AT_FDCWD);
    P("AT_EMPTY_PATH", AT_EMPTY_PATH);
    P("AT_STATX_DONT_SYNC", AT_STATX_DONT_SYNC);
    P("STATX_TYPE", STATX_TYPE);
    P("STATX_MODE", STATX_MODE);
    P("STATX_INO", STATX_INO);
    P("STATX_SIZE", STATX_SIZE);
    P("STATX_MTIME", STATX_MTIME);
    P("STATX_BASIC_STATS", STATX_BASIC_STATS);
    P("S_IFMT", S_IFMT);
    P("S_IFREG", S_IFREG);
    P("O_NOCTTY", O_NOCTTY);
    P("SYS_OPENAT2", SYS_openat2);
    P("SYS_STATX", SYS_statx);
    return 0;
}
