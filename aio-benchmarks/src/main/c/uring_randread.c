/*
 * The C reference of issue 12 (item 4): raw io_uring 4 KiB random reads of one file at a fixed queue depth, the
 * physical limit the JMH tables are compared with. No liburing: io_uring_setup/io_uring_enter through syscall(2),
 * the rings through mmap(2), as aio4j's IoUringBackend does, but in one thread that submits and reaps.
 *
 *   uring_randread FILE QD SECONDS direct|cached
 *
 * prints "ops/s N". Offsets are uniformly random and 4096-aligned (xorshift64), like BenchData.blockOffset.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/io_uring.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BS 4096

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s FILE QD SECONDS direct|cached\n", argv[0]);
        return 2;
    }
    int qd = atoi(argv[2]);
    double secs = atof(argv[3]);
    int direct = strcmp(argv[4], "direct") == 0;
    int fd = open(argv[1], O_RDONLY | (direct ? O_DIRECT : 0));
    if (fd < 0) { perror("open"); return 1; }
    struct stat st;
    fstat(fd, &st);
    uint64_t blocks = st.st_size / BS;

    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    int ring = syscall(__NR_io_uring_setup, qd, &p);
    if (ring < 0) { perror("io_uring_setup"); return 1; }
    size_t sqlen = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cqlen = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    if (cqlen > sqlen) sqlen = cqlen; /* IORING_FEAT_SINGLE_MMAP (5.4+) */
    char *sq = mmap(0, sqlen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
    struct io_uring_sqe *sqes = mmap(0, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                                     MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
    if (sq == MAP_FAILED || sqes == MAP_FAILED) { perror("mmap"); return 1; }
    char *cq = sq;
    unsigned *sq_tail = (unsigned *) (sq + p.sq_off.tail), *sq_mask = (unsigned *) (sq + p.sq_off.ring_mask);
    unsigned *sq_array = (unsigned *) (sq + p.sq_off.array);
    unsigned *cq_head = (unsigned *) (cq + p.cq_off.head), *cq_tail = (unsigned *) (cq + p.cq_off.tail);
    unsigned *cq_mask = (unsigned *) (cq + p.cq_off.ring_mask);
    struct io_uring_cqe *cqes = (struct io_uring_cqe *) (cq + p.cq_off.cqes);

    char *bufs;
    if (posix_memalign((void **) &bufs, BS, (size_t) qd * BS)) return 1;
    uint64_t rnd = 0x9E3779B97F4A7C15ULL;
    unsigned tail = *sq_tail;
    int to_submit = 0;
    for (int i = 0; i < qd; i++) {
        rnd ^= rnd << 13; rnd ^= rnd >> 7; rnd ^= rnd << 17;
        unsigned idx = tail & *sq_mask;
        struct io_uring_sqe *s = &sqes[idx];
        memset(s, 0, sizeof *s);
        s->opcode = IORING_OP_READ;
        s->fd = fd;
        s->addr = (uint64_t) (bufs + (size_t) i * BS);
        s->len = BS;
        s->off = ((rnd >> 1) % blocks) * BS;
        s->user_data = i;
        sq_array[idx] = idx;
        tail++;
        to_submit++;
    }
    __atomic_store_n(sq_tail, tail, __ATOMIC_RELEASE);
    long done = 0;
    double t0 = now(), end = t0 + secs;
    while (1) {
        int r = syscall(__NR_io_uring_enter, ring, to_submit, 1, IORING_ENTER_GETEVENTS, NULL, 0);
        if (r < 0) { perror("io_uring_enter"); return 1; }
        to_submit = 0;
        unsigned head = *cq_head, ctail = __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE);
        int stop = now() >= end;
        for (; head != ctail; head++) {
            struct io_uring_cqe *c = &cqes[head & *cq_mask];
            if (c->res != BS) { fprintf(stderr, "read returned %d\n", c->res); return 1; }
            done++;
            if (stop) continue;
            int i = (int) c->user_data;
            rnd ^= rnd << 13; rnd ^= rnd >> 7; rnd ^= rnd << 17;
            unsigned idx = tail & *sq_mask;
            struct io_uring_sqe *s = &sqes[idx];
            memset(s, 0, sizeof *s);
            s->opcode = IORING_OP_READ;
            s->fd = fd;
            s->addr = (uint64_t) (bufs + (size_t) i * BS);
            s->len = BS;
            s->off = ((rnd >> 1) % blocks) * BS;
            s->user_data = i;
            sq_array[idx] = idx;
            tail++;
            to_submit++;
        }
        __atomic_store_n(cq_head, head, __ATOMIC_RELEASE);
        __atomic_store_n(sq_tail, tail, __ATOMIC_RELEASE);
        if (stop) break;
    }
    double t = now() - t0;
    printf("ops/s %.0f\n", done / t);
    return 0;
}
