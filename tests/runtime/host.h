/*
 * What the host's files share: host.c holds the helpers, the modes about
 * the gate and main; host_thread.c the modes about the init thread itself.
 */
#ifndef HOST_H
#define HOST_H

#include <pthread.h>

#define NR_READ 0
#define NR_FUTEX 202
#define STATE_RUNNING 1
#define STATE_DONE 2
#define STATE_FAILED 3
#define MAX_CALLERS 64

struct caller {
	pthread_t thread;
	int (*fn)(void);
	long tid;
	int result;
};

void die(const char *what);
void *open_lib(const char *path);
void *sym(void *lib, const char *name);
int hold(const char *prefix);
void release(int fd);
long in_syscall(long tid);
long long now_ns(void);
void print_state(void *lib, const char *when);

int mode_thread(const char *path);
int mode_first_call(const char *path, int forbid_threads);

#endif
