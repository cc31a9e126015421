/*
 * matrix_host: proves the gate on a library built from matrix_lib.c, on
 * any architecture, natively or under qemu-user, with glibc or musl.
 *
 * 1. Learn what "asleep in a futex wait" looks like in /proc (below).
 * 2. dlopen the library: returning at all shows dlopen did not wait for
 *    init, which is held until this program releases matrix_release.
 * 3. Start THREADS callers; wait until each is asleep in a futex wait, and
 *    check that none has returned.
 * 4. Check that init runs on a thread of its own, started at load time:
 *    not this one, and none of the callers (an unpatched library would run
 *    init lazily on the first caller).
 * 5. Release init and join: every caller must have seen the initialized
 *    value.  Then say which arguments the runtime gave init: main's, or
 *    none at all (never anything else).
 *
 * Why a calibration: /proc/self/task/TID/syscall shows the system call a
 * thread sleeps in, as the kernel numbers it.  Under qemu-user that is the
 * host's call made on the guest's behalf (x86_64's futex, 202, whatever the
 * guest's number), and qemu's own locks sleep in futex too.  So a helper
 * thread first sleeps in a futex wait with a value nothing else uses, and
 * its line gives the number to expect and, under emulation, the one host
 * instruction through which qemu makes every guest's blocking system call:
 * a caller showing both is asleep in a futex wait the guest asked for.
 * Natively the number alone says it (futex_time64 too, where 32-bit glibc
 * uses it).
 *
 * usage: matrix_host LIBRARY.so THREADS.  Prints one line per step; exit 0
 * on success.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129
#define MAX_THREADS 32

/* Byte-symmetric, so it reads the same after qemu swaps it for s390x. */
#define CALIBRATION_VALUE 0x5a5a5a5aUL

/* The library's init waits on this, after storing its thread's id in
 * matrix_init_tid; -rdynamic exports both. */
int matrix_release;
int matrix_init_tid;

struct caller {
	pthread_t thread;
	int tid;
	int returned;
	int value;
};

struct sleep_sign {
	long nr;		/* the system call number /proc shows */
	unsigned long long pc;	/* where, when emulated; 0 natively */
};

static int (*matrix_value)(void);
static struct caller callers[MAX_THREADS];
static int calibration_word = (int)CALIBRATION_VALUE;
static int calibration_tid;

static int load(int *word)
{
	return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

static void *sleep_for_calibration(void *unused)
{
	(void)unused;
	__atomic_store_n(&calibration_tid, (int)syscall(SYS_gettid),
			 __ATOMIC_RELEASE);
	while (load(&calibration_word) == (int)CALIBRATION_VALUE)
		syscall(SYS_futex, &calibration_word, FUTEX_WAIT_PRIVATE,
			(int)CALIBRATION_VALUE, 0, 0, 0);
	return NULL;
}

static void *call(void *arg)
{
	struct caller *c = arg;

	__atomic_store_n(&c->tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	c->value = matrix_value();
	__atomic_store_n(&c->returned, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * A thread's line from /proc: "NR ARG1 ... ARG6 SP PC" while it sleeps in
 * a system call.  Returns how many fields were read (9 then).  The fields
 * are the kernel's, 64-bit under qemu even for a 32-bit guest.
 */
static int read_syscall_line(int tid, long *nr, unsigned long long args[6],
			     unsigned long long *pc)
{
	char path[64];
	unsigned long long sp;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fscanf(f, "%ld %llx %llx %llx %llx %llx %llx %llx %llx", nr, &args[0],
		   &args[1], &args[2], &args[3], &args[4], &args[5], &sp, pc);
	fclose(f);
	return n;
}

/* Polls without spinning: a millisecond between looks at /proc. */
static void pause_briefly(void)
{
	struct timespec ts = { 0, 1000000 };

	nanosleep(&ts, NULL);
}

static struct sleep_sign calibrate(void)
{
	struct sleep_sign sign = { 0, 0 };
	unsigned long long args[6], pc;
	pthread_t helper;
	long nr;

	pthread_create(&helper, NULL, sleep_for_calibration, NULL);
	while (!load(&calibration_tid))
		pause_briefly();
	for (;;) {
		if (read_syscall_line(calibration_tid, &nr, args, &pc) == 9 &&
		    (args[1] & 0x7f) == 0 && args[2] == CALIBRATION_VALUE)
			break;
		pause_briefly();
	}
	sign.nr = nr;
	sign.pc = nr == SYS_futex ? 0 : pc;

	__atomic_store_n(&calibration_word, 0, __ATOMIC_RELEASE);
	syscall(SYS_futex, &calibration_word, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0);
	pthread_join(helper, NULL);
	return sign;
}

static int asleep_in_futex(int tid, struct sleep_sign sign)
{
	unsigned long long args[6], pc;
	long nr;

	if (read_syscall_line(tid, &nr, args, &pc) != 9)
		return 0;
	if (sign.pc)
		return nr == sign.nr && pc == sign.pc;
#ifdef SYS_futex_time64
	if (nr == SYS_futex_time64)
		return 1;
#endif
	return nr == SYS_futex;
}

static void wait_until_asleep(struct caller *c, struct sleep_sign sign)
{
	for (;;) {
		if (load(&c->returned)) {
			printf("FAIL: a caller returned while init was held\n");
			exit(1);
		}
		if (load(&c->tid) && asleep_in_futex(load(&c->tid), sign))
			return;
		pause_briefly();
	}
}

static int check_init_thread(int threads)
{
	int init_tid, i;

	while (!(init_tid = load(&matrix_init_tid)))
		pause_briefly();
	if (init_tid == (int)syscall(SYS_gettid)) {
		printf("FAIL: init ran on the thread that called dlopen\n");
		return 1;
	}
	for (i = 0; i < threads; i++) {
		if (init_tid == load(&callers[i].tid)) {
			printf("FAIL: init ran lazily on caller %d: the library "
			       "did not start it at load time\n", i);
			return 1;
		}
	}
	printf("init runs on its own thread\n");
	return 0;
}

static int check_arguments(void *lib, int argc, char **argv)
{
	int (*lib_argc)(void) = (int (*)(void))dlsym(lib, "matrix_argc");
	const char *(*lib_arg0)(void) =
		(const char *(*)(void))dlsym(lib, "matrix_arg0");
	const char *arg0;

	if (!lib_argc || !lib_arg0) {
		printf("FAIL: %s\n", dlerror());
		return 1;
	}
	arg0 = lib_arg0();
	if (lib_argc() == 0 && !arg0) {
		/* What the no-libc flavour reports where the loader passes
		 * nothing (initgate.h): the test says whether that is right. */
		printf("init saw no arguments\n");
		return 0;
	}
	if (lib_argc() != argc || !arg0 || strcmp(arg0, argv[0]) != 0) {
		printf("FAIL: init saw %d arguments, argv[0] %s; main has %d, %s\n",
		       lib_argc(), arg0 ? arg0 : "(null)", argc, argv[0]);
		return 1;
	}
	printf("init saw main's %d arguments\n", argc);
	return 0;
}

int main(int argc, char **argv)
{
	struct sleep_sign sign;
	int threads, i;
	void *lib;

	if (argc != 3 || (threads = atoi(argv[2])) < 1 || threads > MAX_THREADS) {
		fprintf(stderr, "usage: matrix_host LIBRARY.so THREADS (1..%d)\n",
			MAX_THREADS);
		return 2;
	}
	sign = calibrate();

	lib = dlopen(argv[1], RTLD_NOW);
	if (!lib) {
		printf("FAIL: %s\n", dlerror());
		return 1;
	}
	printf("dlopen returned while init is held\n");
	matrix_value = (int (*)(void))dlsym(lib, "matrix_value");
	if (!matrix_value) {
		printf("FAIL: %s\n", dlerror());
		return 1;
	}

	for (i = 0; i < threads; i++)
		pthread_create(&callers[i].thread, NULL, call, &callers[i]);
	for (i = 0; i < threads; i++)
		wait_until_asleep(&callers[i], sign);
	for (i = 0; i < threads; i++) {
		if (load(&callers[i].returned)) {
			printf("FAIL: caller %d returned while init was held\n", i);
			return 1;
		}
	}
	printf("%d callers asleep at the gate\n", threads);
	if (check_init_thread(threads))
		return 1;

	__atomic_store_n(&matrix_release, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &matrix_release, FUTEX_WAKE_PRIVATE, 1 << 30, 0, 0,
		0);
	for (i = 0; i < threads; i++) {
		pthread_join(callers[i].thread, NULL);
		if (callers[i].value != 42) {
			printf("FAIL: caller %d saw %d, not the initialized 42\n",
			       i, callers[i].value);
			return 1;
		}
	}
	printf("%d callers saw the initialized state\n", threads);
	return check_arguments(lib, argc, argv);
}
