/*
 * Issue 10, item 2: the cost per call of the candidate "is this region page-cached?" probes on one file, whole file as
 * the region: cachestat(2) (syscall 451, Linux 6.5+), mmap + mincore + munmap, preadv2(RWF_NOWAIT) of the first byte
 * and of one byte per page. Results in docs/benchmarks.md, "HTTP file serving".
 *
 *   gcc -O2 -o /tmp/probe aio-benchmarks/http/probe-cost.c && /tmp/probe FILE 20000     # FILE page-cached first
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <errno.h>
struct cs_range { uint64_t off, len; };
struct cs { uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted; };
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e9+t.tv_nsec;}
int main(int argc,char**argv){
  int fd=open(argv[1],O_RDONLY); long n=lseek(fd,0,SEEK_END); int iters=atoi(argv[2]);
  long pages=(n+4095)/4096; unsigned char*vec=malloc(pages); char b; volatile long sink=0;
  /* cachestat */
  double t0=now();
  for(int i=0;i<iters;i++){struct cs_range r={0,n};struct cs c; long rc=syscall(451,fd,&r,&c,0); if(rc){perror("cachestat");return 1;} sink+=c.nr_cache;}
  double t1=now(); printf("%s size=%ld cachestat: %.0f ns/call (nr_cache=%ld of %ld pages)\n",argv[1],n,(t1-t0)/iters,sink/iters,pages);
  /* mincore over a fresh mapping */
  sink=0; t0=now();
  for(int i=0;i<iters;i++){void*a=mmap(0,n,PROT_READ,MAP_SHARED,fd,0); if(a==MAP_FAILED){perror("mmap");return 1;}
    if(mincore(a,n,vec)){perror("mincore");return 1;} long in=0; for(long p=0;p<pages;p++) in+=vec[p]&1; sink+=in; munmap(a,n);}
  t1=now(); printf("  mmap+mincore+munmap: %.0f ns/call (resident=%ld)\n",(t1-t0)/iters,sink/iters);
  /* preadv2 RWF_NOWAIT 1 byte, first page only */
  t0=now();
  for(int i=0;i<iters;i++){struct iovec v={&b,1}; long r=preadv2(fd,&v,1,0,RWF_NOWAIT); if(r<0&&errno!=EAGAIN){perror("preadv2");return 1;}}
  t1=now(); printf("  preadv2 NOWAIT 1 byte at 0 (first page only): %.0f ns/call\n",(t1-t0)/iters);
  /* preadv2 RWF_NOWAIT 1 byte per page: whole region */
  int it2 = iters; if (pages>1000) it2 = iters/50+1;
  t0=now();
  for(int i=0;i<it2;i++){for(long p=0;p<pages;p++){struct iovec v={&b,1}; long r=preadv2(fd,&v,1,p*4096,RWF_NOWAIT); if(r<0&&errno!=EAGAIN){perror("preadv2");return 1;}}}
  t1=now(); printf("  preadv2 NOWAIT 1 byte per page (whole region): %.0f ns/call\n",(t1-t0)/it2);
  return 0;}
