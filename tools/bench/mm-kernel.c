// The kernel side of `pnpm bench:mm` (tools/bench/mm-vs-kernel.ts): builds the address space of
// docs perf-targets "mm against the real kernel" in this process (1000 anonymous mmaps of 1-4
// pages with hint 0, every third one's first page mprotected to PROT_READ), then times the same
// syscalls the model runs, on request. Protocol on stdin/stdout, one line each:
//   "setup"            -> "vmas <lines of /proc/self/maps before> <after>"
//   "<case> <iters>"   -> "ns <wall ns> <cpu ns>" for iters operations: wall clock, and this
//                         process's CPU time (user + system: the syscalls' kernel work; a
//                         fork's child runs on its own clock, the parent's fork() is here)
// Cases: mmap (mmap + munmap of one page, hint 0), mprotect (the 501st mapping's first page to
// PROT_READ and back), fork (fork + _exit + waitpid), maps (open + read + close /proc/self/maps).
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAPPINGS 1000
#define PAGE 4096

static char *addrs[MAPPINGS];
static char mapsbuf[1 << 20];

static long long clock_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long read_maps(void) {
  int fd = open("/proc/self/maps", O_RDONLY);
  if (fd < 0) {
    perror("open /proc/self/maps");
    exit(1);
  }
  long total = 0;
  for (;;) {
    ssize_t n = read(fd, mapsbuf + total, sizeof(mapsbuf) - 1 - total);
    if (n < 0) {
      perror("read /proc/self/maps");
      exit(1);
    }
    if (n == 0) break;
    total += n;
  }
  close(fd);
  return total;
}

static int count_lines(void) {
  long n = read_maps();
  int lines = 0;
  for (long i = 0; i < n; i++) lines += mapsbuf[i] == '\n';
  return lines;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

static void setup(void) {
  int before = count_lines();
  for (int i = 0; i < MAPPINGS; i++) {
    size_t len = (size_t)(i % 4 + 1) * PAGE;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) die("mmap");
    addrs[i] = p;
  }
  for (int i = 0; i < MAPPINGS; i += 3)
    if (mprotect(addrs[i], PAGE, PROT_READ) != 0) die("mprotect");
  printf("vmas %d %d\n", before, count_lines());
}

static void run(const char *what, long iters) {
  long long t0 = clock_ns(CLOCK_MONOTONIC);
  long long c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
  if (strcmp(what, "mmap") == 0) {
    for (long i = 0; i < iters; i++) {
      void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) die("mmap");
      if (munmap(p, PAGE) != 0) die("munmap");
    }
  } else if (strcmp(what, "mprotect") == 0) {
    for (long i = 0; i < iters; i++) {
      if (mprotect(addrs[500], PAGE, PROT_READ) != 0) die("mprotect");
      if (mprotect(addrs[500], PAGE, PROT_READ | PROT_WRITE) != 0) die("mprotect");
    }
  } else if (strcmp(what, "fork") == 0) {
    for (long i = 0; i < iters; i++) {
      pid_t pid = fork();
      if (pid < 0) die("fork");
      if (pid == 0) _exit(0);
      int status;
      if (waitpid(pid, &status, 0) != pid) die("waitpid");
    }
  } else if (strcmp(what, "maps") == 0) {
    for (long i = 0; i < iters; i++) read_maps();
  } else {
    fprintf(stderr, "mm-kernel: unknown case %s\n", what);
    exit(2);
  }
  long long c1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
  printf("ns %lld %lld\n", clock_ns(CLOCK_MONOTONIC) - t0, c1 - c0);
}

int main(void) {
  char line[256];
  setvbuf(stdout, NULL, _IOLBF, 0);
  while (fgets(line, sizeof line, stdin) != NULL) {
    char what[64];
    long iters = 0;
    if (strncmp(line, "setup", 5) == 0) setup();
    else if (sscanf(line, "%63s %ld", what, &iters) == 2) run(what, iters);
    else {
      fprintf(stderr, "mm-kernel: bad request %s", line);
      return 2;
    }
  }
  return 0;
}
