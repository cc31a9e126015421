/*
 * The host's modes about the init thread itself: what it looks like while
 * init is held (its name, its signal mask, the guard below its stack, its
 * pthread attributes), and what happens when no thread can be had.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host.h"

/* The init thread, while held, is the one whose name ends in "-init". */
static long find_init_thread(char *name, size_t size)
{
	char path[300];
	struct dirent *task;
	DIR *dir = opendir("/proc/self/task");
	long tid = 0;
	FILE *f;

	while (dir && !tid && (task = readdir(dir))) {
		snprintf(path, sizeof path, "/proc/self/task/%s/comm",
			 task->d_name);
		f = fopen(path, "r");
		if (f && fgets(name, size, f) && strstr(name, "-init\n"))
			tid = atol(task->d_name);
		if (f)
			fclose(f);
	}
	if (dir)
		closedir(dir);
	return tid;
}

/* A thread's blocked signals, as the kernel has them: bit N-1 for signal N. */
static unsigned long long blocked_signals(long tid)
{
	char path[64], line[256];
	unsigned long long mask = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/self/task/%ld/status", tid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "SigBlk:", 7))
			mask = strtoull(line + 8, 0, 16);
	if (f)
		fclose(f);
	return mask;
}

/*
 * Every signal a thread can block at all: this thread blocks everything
 * through the raw system call (pthread_sigmask would leave out the C
 * library's own signals), reads back what the kernel kept, and restores
 * its mask.
 */
static unsigned long long blockable_signals(void)
{
	unsigned long long all = ~0ULL, old, mask;

	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, sizeof all);
	mask = blocked_signals(syscall(SYS_gettid));
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, 0, sizeof old);
	return mask;
}

static void describe_signals(long tid)
{
	unsigned long long open = blockable_signals() & ~blocked_signals(tid);
	int sig;

	printf("init thread leaves unblocked:");
	for (sig = 1; sig <= 64; sig++)
		if (open >> (sig - 1) & 1)
			printf(" %d", sig);
	printf("%s\n", open ? "" : " none");
}

/* The line of /proc/self/maps that holds addr: its start and permissions. */
static int find_mapping(unsigned long addr, unsigned long *start, char *perms)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long low, high;
	char line[512];
	int found = 0;

	while (f && !found && fgets(line, sizeof line, f))
		if (sscanf(line, "%lx-%lx %4s", &low, &high, perms) == 3 &&
		    low <= addr && addr < high) {
			*start = low;
			found = 1;
		}
	if (f)
		fclose(f);
	return found;
}

/*
 * Below the init thread's stack there must be a guard: a mapped page with
 * no access, so an overflow faults rather than writing into whatever lies
 * there (an unmapped page would do only until something is mapped at it).
 * The map says so, and the kernel proves it: write() from it faults.
 */
static void describe_guard(unsigned long on_stack)
{
	unsigned long start, below;
	char perms[8], guard[8];
	long page = sysconf(_SC_PAGESIZE);
	int p[2], faults;

	if (!find_mapping(on_stack, &start, perms))
		die("the init thread's stack is not in /proc/self/maps");
	if (!find_mapping(start - 1, &below, guard)) {
		printf("page below the init thread's stack: unmapped\n");
		return;
	}
	if (pipe(p))
		die("pipe");
	faults = write(p[1], (void *)(start - page), 1) < 0 && errno == EFAULT;
	printf("page below the init thread's stack: %s, %s\n", guard,
	       faults ? "faults" : "readable");
	close(p[0]);
	close(p[1]);
}

/* The init thread while init is held; the attributes only from held.c. */
int mode_thread(const char *path)
{
	int gate = hold("");
	void *lib = open_lib(path);
	unsigned long (*stack)(void) = sym(lib, "lib_init_stack");
	int (*detached)(void) = dlsym(lib, "lib_init_detached");
	long (*stack_size)(void) = dlsym(lib, "lib_init_stack_size");
	char name[64];
	long tid;

	while (!stack())
		sched_yield();
	tid = find_init_thread(name, sizeof name);
	if (!tid)
		die("no thread named *-init");
	printf("init thread name %s", name);
	describe_signals(tid);
	describe_guard(stack());
	if (detached)
		printf("init thread detached: %s\n", detached() == 1 ? "yes" : "no");
	if (stack_size)
		printf("init thread stack size %ld\n", stack_size());
	release(gate);
	((int (*)(void))sym(lib, "lib_value"))();
	return 0;
}

/* clone and clone3 fail with EAGAIN: no thread can ever be created. */
static void forbid(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 435 /* clone3 */, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EAGAIN),
	};
	struct sock_fprog prog = { sizeof code / sizeof code[0], code };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		die("seccomp");
}

/* With no init thread (seccomp here, or a preloaded refusal), the first
 * call runs init on its own thread. */
int mode_first_call(const char *path, int forbid_threads)
{
	void *lib;
	int (*value)(void);

	if (forbid_threads)
		forbid();
	lib = open_lib(path);
	print_state(lib, "after dlopen");
	value = sym(lib, "lib_value");
	printf("first call saw %d\n", value());
	printf("init ran on the caller's thread: %s\n",
	       ((long (*)(void))sym(lib, "lib_init_tid"))() ==
	       syscall(SYS_gettid) ? "yes" : "no");
	return 0;
}
