// membw.c: a memory-bandwidth probe for scripts/bench-vs-llamacpp (not part of the package).
//
// Streams reads over a buffer (default 1 GiB) with T threads, each summing its own contiguous
// share, several passes (at most 64); prints the best pass and the median pass in GB/s (1e9 bytes
// per second). Token generation reads every weight byte once per token, so weight bytes / this
// bandwidth is its time floor.
//
//   cc -O3 -march=native -pthread membw.c -o membw && ./membw [threads] [MiB] [passes]
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

typedef struct {
    const uint64_t *p;
    size_t n;
    uint64_t sum;
    pthread_barrier_t *barrier;
} share;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *reader(void *arg) {
    share *s = arg;
    pthread_barrier_wait(s->barrier);
    // Eight independent lanes so that the loop vectorizes and is bound by loads, not adds.
    uint64_t a[8] = {0};
    for (size_t i = 0; i + 8 <= s->n; i += 8)
        for (int k = 0; k < 8; k++) a[k] += s->p[i + k];
    uint64_t t = 0;
    for (int k = 0; k < 8; k++) t += a[k];
    s->sum = t;
    pthread_barrier_wait(s->barrier);
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    size_t mib = argc > 2 ? (size_t)atol(argv[2]) : 1024;
    int passes = argc > 3 ? atoi(argv[3]) : 5;
    if (threads < 1 || threads > 256 || mib < 1 || passes < 1 || passes > 64) {
        fprintf(stderr, "usage: membw [threads] [MiB] [passes]\n");
        return 2;
    }
    size_t bytes = mib << 20, words = bytes / 8;
    // 2 MiB-aligned and asking for transparent huge pages, as the model's weights are mapped:
    // with 4 KiB pages the probe measures TLB misses as much as memory.
    uint64_t *buf = aligned_alloc(2 << 20, (bytes + (2 << 20) - 1) / (2 << 20) * (2 << 20));
    if (!buf) { fprintf(stderr, "membw: cannot allocate %zu MiB\n", mib); return 1; }
    if (getenv("MEMBW_SMALL_PAGES") == NULL) madvise(buf, bytes, MADV_HUGEPAGE);
    memset(buf, 1, bytes);   // touch every page before timing

    double rates[64];
    uint64_t check = 0;
    for (int pass = 0; pass < passes; pass++) {
        pthread_barrier_t barrier;
        pthread_barrier_init(&barrier, NULL, (unsigned)threads + 1);
        pthread_t tid[256];
        share sh[256];
        size_t per = words / (size_t)threads / 8 * 8;
        for (int t = 0; t < threads; t++) {
            sh[t] = (share){buf + (size_t)t * per, per, 0, &barrier};
            pthread_create(&tid[t], NULL, reader, &sh[t]);
        }
        pthread_barrier_wait(&barrier);
        double start = now();
        pthread_barrier_wait(&barrier);
        double seconds = now() - start;
        for (int t = 0; t < threads; t++) { pthread_join(tid[t], NULL); check += sh[t].sum; }
        pthread_barrier_destroy(&barrier);
        double gbs = (double)(per * (size_t)threads * 8) / seconds / 1e9;
        rates[pass] = gbs;
    }
    for (int i = 1; i < passes; i++)   // insertion sort: the best pass last, the median in the middle
        for (int j = i; j > 0 && rates[j] < rates[j - 1]; j--) { double t = rates[j]; rates[j] = rates[j - 1]; rates[j - 1] = t; }
    const double median = passes % 2 ? rates[passes / 2] : (rates[passes / 2 - 1] + rates[passes / 2]) / 2;
    printf("%.2f %.2f\n", rates[passes - 1], median);
    return check == 42 ? 3 : 0;   // keeps the sums alive
}
