/* Prints "NAME value" for every io_uring constant and layout that org.aio4j.engine.internal.IoUring hard-codes
 * (IoUringAbiTest compares them). Built against the installed <linux/io_uring.h>. */
#include <stddef.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/io_uring.h>
#include <linux/uio.h>
#include <linux/time_types.h>

#define P(name, v) printf("%s %lld\n", name, (long long) (v))

int main(void) {
    P("NR_IO_URING_SETUP", __NR_io_uring_setup);
    P("NR_IO_URING_ENTER", __NR_io_uring_enter);
    P("NR_IO_URING_REGISTER", __NR_io_uring_register);
    P("IORING_OP_NOP", IORING_OP_NOP);
    P("IORING_OP_READV", IORING_OP_READV);
    P("IORING_OP_WRITEV", IORING_OP_WRITEV);
    P("IORING_OP_FSYNC", IORING_OP_FSYNC);
    P("IORING_OP_ASYNC_CANCEL", IORING_OP_ASYNC_CANCEL);
    P("IORING_OP_READ", IORING_OP_READ);
    P("IORING_OP_WRITE", IORING_OP_WRITE);
    P("IORING_FSYNC_DATASYNC", IORING_FSYNC_DATASYNC);
    P("UIO_MAXIOV", UIO_MAXIOV);
    P("IOVEC_SIZE", sizeof(struct iovec));
    P("IOVEC_BASE", offsetof(struct iovec, iov_base));
    P("IOVEC_LEN", offsetof(struct iovec, iov_len));
    P("IORING_SETUP_CQSIZE", IORING_SETUP_CQSIZE);
    P("IORING_SETUP_CLAMP", IORING_SETUP_CLAMP);
    P("IORING_SETUP_SUBMIT_ALL", IORING_SETUP_SUBMIT_ALL);
    P("IORING_SETUP_COOP_TASKRUN", IORING_SETUP_COOP_TASKRUN);
    P("IORING_FEAT_SINGLE_MMAP", IORING_FEAT_SINGLE_MMAP);
    P("IORING_FEAT_NODROP", IORING_FEAT_NODROP);
    P("IORING_FEAT_EXT_ARG", IORING_FEAT_EXT_ARG);
    P("IORING_ENTER_GETEVENTS", IORING_ENTER_GETEVENTS);
    P("IORING_ENTER_EXT_ARG", IORING_ENTER_EXT_ARG);
    P("IORING_REGISTER_SYNC_CANCEL", IORING_REGISTER_SYNC_CANCEL);
    P("IORING_ASYNC_CANCEL_ALL", IORING_ASYNC_CANCEL_ALL);
    P("IORING_ASYNC_CANCEL_FD", IORING_ASYNC_CANCEL_FD);
    P("IORING_OFF_SQ_RING", IORING_OFF_SQ_RING);
    P("IORING_OFF_CQ_RING", IORING_OFF_CQ_RING);
    P("IORING_OFF_SQES", IORING_OFF_SQES);
    P("SQE_SIZE", sizeof(struct io_uring_sqe));
    P("SQE_OPCODE", offsetof(struct io_uring_sqe, opcode));
    P("SQE_FLAGS", offsetof(struct io_uring_sqe, flags));
    P("SQE_IOPRIO", offsetof(struct io_uring_sqe, ioprio));
    P("SQE_FD", offsetof(struct io_uring_sqe, fd));
    P("SQE_OFF", offsetof(struct io_uring_sqe, off));
    P("SQE_ADDR", offsetof(struct io_uring_sqe, addr));
    P("SQE_LEN", offsetof(struct io_uring_sqe, len));
    P("SQE_OP_FLAGS", offsetof(struct io_uring_sqe, rw_flags));
    P("SQE_OP_FLAGS_FSYNC", offsetof(struct io_uring_sqe, fsync_flags));
    P("SQE_USER_DATA", offsetof(struct io_uring_sqe, user_data));
    P("SQE_BUF_INDEX", offsetof(struct io_uring_sqe, buf_index));
    P("CQE_SIZE", sizeof(struct io_uring_cqe));
    P("CQE_USER_DATA", offsetof(struct io_uring_cqe, user_data));
    P("CQE_RES", offsetof(struct io_uring_cqe, res));
    P("PARAMS_SIZE", sizeof(struct io_uring_params));
    P("P_SQ_ENTRIES", offsetof(struct io_uring_params, sq_entries));
    P("P_CQ_ENTRIES", offsetof(struct io_uring_params, cq_entries));
    P("P_FLAGS", offsetof(struct io_uring_params, flags));
    P("P_FEATURES", offsetof(struct io_uring_params, features));
    P("P_SQ_OFF", offsetof(struct io_uring_params, sq_off));
    P("P_CQ_OFF", offsetof(struct io_uring_params, cq_off));
    P("OFF_HEAD", offsetof(struct io_sqring_offsets, head));
    P("OFF_HEAD_CQ", offsetof(struct io_cqring_offsets, head));
    P("OFF_TAIL", offsetof(struct io_sqring_offsets, tail));
    P("OFF_TAIL_CQ", offsetof(struct io_cqring_offsets, tail));
    P("OFF_RING_MASK", offsetof(struct io_sqring_offsets, ring_mask));
    P("OFF_RING_MASK_CQ", offsetof(struct io_cqring_offsets, ring_mask));
    P("OFF_RING_ENTRIES", offsetof(struct io_sqring_offsets, ring_entries));
    P("OFF_RING_ENTRIES_CQ", offsetof(struct io_cqring_offsets, ring_entries));
    P("SQ_OFF_ARRAY", offsetof(struct io_sqring_offsets, array));
    P("CQ_OFF_CQES", offsetof(struct io_cqring_offsets, cqes));
    P("GETEVENTS_ARG_SIZE", sizeof(struct io_uring_getevents_arg));
    P("GETEVENTS_ARG_TS", offsetof(struct io_uring_getevents_arg, ts));
    P("KERNEL_TIMESPEC_SIZE", sizeof(struct __kernel_timespec));
    P("SYNC_CANCEL_SIZE", sizeof(struct io_uring_sync_cancel_reg));
    P("SC_ADDR", offsetof(struct io_uring_sync_cancel_reg, addr));
    P("SC_FD", offsetof(struct io_uring_sync_cancel_reg, fd));
    P("SC_FLAGS", offsetof(struct io_uring_sync_cancel_reg, flags));
    P("SC_TIMEOUT", offsetof(struct io_uring_sync_cancel_reg, timeout));
    P("PROT_READ_WRITE", PROT_READ | PROT_WRITE);
    P("MAP_SHARED_POPULATE", MAP_SHARED | MAP_POPULATE);
    return 0;
}
