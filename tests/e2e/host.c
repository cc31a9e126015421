/*
 * host: proves the gate on a library built from held.c.
 *
 * 1. Hold init: make a pipe and pass its read end in HELD_INIT_FD.
 * 2. dlopen the library: returning at all shows dlopen did not wait for init.
 * 3. Start THREADS callers; wait until each one is asleep in the futex
 *    system call, and check that none has returned.  With "lazy" (a library
 *    that was not patched, so nothing started init at load time), exactly
 *    one caller must instead be running init itself, asleep in read().
 * 4. Release init and join: every caller must have seen the initialized value.
 *
 * usage: host LIBRARY.so THREADS [lazy].  Prints one line per step; exit 0
 * on success.  HELD_SYMBOL names the function the callers call (default
 * held_value; held.c also exports it as an alias and as an ifunc).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64

struct caller {
	pthread_t thread;
	atomic_int tid;
	atomic_int returned;
	int value;
};

static int (*held_value)(void);
static struct caller callers[MAX_THREADS];

static void *call(void *arg)
{
	struct caller *c = arg;

	atomic_store(&c->tid, (int)syscall(SYS_gettid));
	c->value = held_value();
	atomic_store(&c->returned, 1);
	return NULL;
}

/* The system call a thread is blocked in, from /proc, or -1 if running. */
static long blocked_in(int tid)
{
	char path[64], buf[256];
	FILE *f;
	long nr = -1;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f) && strncmp(buf, "running", 7) != 0)
		nr = strtol(buf, NULL, 10);
	fclose(f);
	return nr;
}

static void pause_briefly(void)
{
	struct timespec ts = { 0, 1000000 };

	nanosleep(&ts, NULL);
}

/* Waits until the caller sleeps in a system call; returns which one. */
static long wait_until_blocked(struct caller *c)
{
	long nr;

	for (;;) {
		if (atomic_load(&c->returned)) {
			printf("FAIL: a caller returned while init was held\n");
			exit(1);
		}
		if (atomic_load(&c->tid) != 0) {
			nr = blocked_in(atomic_load(&c->tid));
			if (nr == SYS_futex || nr == SYS_read)
				return nr;
		}
		pause_briefly();
	}
}

int main(int argc, char **argv)
{
	int fds[2], threads, i, lazy, in_read = 0;
	char fdtext[16];
	const char *symbol = getenv("HELD_SYMBOL") ? getenv("HELD_SYMBOL") : "held_value";
	void *lib;

	lazy = argc == 4 && strcmp(argv[3], "lazy") == 0;
	if (argc < 3 || argc > 4 || (argc == 4 && !lazy) ||
	    (threads = atoi(argv[2])) < 1 || threads > MAX_THREADS) {
		fprintf(stderr, "usage: host LIBRARY.so THREADS (1..%d) [lazy]\n",
			MAX_THREADS);
		return 2;
	}

	if (pipe(fds) != 0)
		return 1;
	snprintf(fdtext, sizeof(fdtext), "%d", fds[0]);
	setenv("HELD_INIT_FD", fdtext, 1);

	lib = dlopen(argv[1], RTLD_NOW);
	if (!lib) {
		printf("FAIL: %s\n", dlerror());
		return 1;
	}
	printf("dlopen returned while init is held\n");
	held_value = (int (*)(void))dlsym(lib, symbol);
	if (!held_value) {
		printf("FAIL: %s\n", dlerror());
		return 1;
	}

	for (i = 0; i < threads; i++)
		pthread_create(&callers[i].thread, NULL, call, &callers[i]);
	for (i = 0; i < threads; i++)
		in_read += wait_until_blocked(&callers[i]) == SYS_read;
	if (in_read != lazy) {
		printf("FAIL: %d callers are running init, expected %d\n", in_read, lazy);
		return 1;
	}
	for (i = 0; i < threads; i++) {
		if (atomic_load(&callers[i].returned)) {
			printf("FAIL: caller %d returned while init was held\n", i);
			return 1;
		}
	}
	if (lazy)
		printf("1 caller running init, %d blocked at the gate\n", threads - 1);
	else
		printf("%d callers blocked at the gate\n", threads);

	if (write(fds[1], "go", 1) != 1)
		return 1;
	for (i = 0; i < threads; i++) {
		pthread_join(callers[i].thread, NULL);
		if (callers[i].value != 42) {
			printf("FAIL: caller %d saw %d, not the initialized 42\n", i,
			       callers[i].value);
			return 1;
		}
	}
	printf("%d callers saw the initialized state\n", threads);
	return 0;
}
