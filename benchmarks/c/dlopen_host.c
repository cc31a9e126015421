/*
 * The host of the dlopen benchmark: how long dlopen(LIB, RTLD_NOW) takes in
 * a fresh process, and, with "call", how long the first call to slow_ready
 * then takes (the wait for init, if init is still running).
 *
 *   dlopen_host LIB [call]    prints "dlopen NS" and maybe "call NS"
 *
 * It leaves with _exit, so that a still running init thread is simply ended
 * with the process, as in any host that exits early.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	long long start, opened, called;
	int (*ready)(void);
	void *lib;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "call"))) {
		fprintf(stderr, "usage: dlopen_host LIB [call]\n");
		return 2;
	}
	start = now_ns();
	lib = dlopen(argv[1], RTLD_NOW);
	opened = now_ns();
	if (!lib) {
		fprintf(stderr, "dlopen_host: %s\n", dlerror());
		return 1;
	}
	printf("dlopen %lld\n", opened - start);
	if (argc == 3) {
		ready = (int (*)(void))dlsym(lib, "slow_ready");
		if (!ready || !ready()) {
			fprintf(stderr, "dlopen_host: slow_ready missing or init "
				"not done when it returned\n");
			return 1;
		}
		called = now_ns();
		printf("call %lld\n", called - opened);
	}
	fflush(stdout);
	_exit(0);
}
