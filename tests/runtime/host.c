/*
 * The host that loads test libraries and proves each runtime behaviour
 * without sleeping: init is held on a pipe this program writes to, and
 * "blocked at the gate" means the kernel says the thread is asleep in the
 * futex system call (/proc/self/task/TID/syscall).
 *
 *   host MODE LIB [LIB2 | N | FUNCTION | LIMIT_MS PERIODS N]
 *
 * Each mode prints what it saw, one fact a line; the pytest side compares
 * the lines.  Any surprise exits non-zero with a message on stderr.  The
 * modes about the init thread itself are in host_thread.c.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host.h"

/* How long the query mode's timed wait lasts while init is held. */
#define WAIT_MS 50

void die(const char *what)
{
	fprintf(stderr, "host: %s\n", what);
	exit(3);
}

static void *open_with(const char *path, int flags)
{
	void *lib = dlopen(path, RTLD_NOW | flags);

	if (!lib)
		die(dlerror());
	return lib;
}

void *open_lib(const char *path)
{
	return open_with(path, RTLD_LOCAL);
}

void *sym(void *lib, const char *name)
{
	void *p = dlsym(lib, name);

	if (!p)
		die(dlerror());
	return p;
}

/* Init reads one byte from the pipe's read end; we keep the write end. */
int hold(const char *prefix)
{
	char name[64], fd[16];
	int p[2];

	if (pipe(p))
		die("pipe");
	snprintf(name, sizeof name, "%sHELD_FD", prefix);
	snprintf(fd, sizeof fd, "%d", p[0]);
	setenv(name, fd, 1);
	return p[1];
}

void release(int fd)
{
	if (write(fd, "x", 1) != 1)
		die("release");
}

/* The system call a thread is in: the first field of .../syscall. */
long in_syscall(long tid)
{
	char path[64], text[64] = "";
	FILE *f;

	snprintf(path, sizeof path, "/proc/self/task/%ld/syscall", tid);
	f = fopen(path, "r");
	if (!f)
		return -2;
	if (!fgets(text, sizeof text, f))
		text[0] = 0;
	fclose(f);
	return text[0] == 'r' ? -1 : strtol(text, 0, 10);
}

long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long tid_of(struct caller *c)
{
	return __atomic_load_n(&c->tid, __ATOMIC_ACQUIRE);
}

/* Polls the kernel's view until `n` of the callers sit in syscall `nr`. */
static void wait_in(struct caller *c, int callers, long nr, int n)
{
	for (;;) {
		int i, found = 0;

		for (i = 0; i < callers; i++)
			found += tid_of(&c[i]) && in_syscall(tid_of(&c[i])) == nr;
		if (found >= n)
			return;
		sched_yield();
	}
}

static void *call(void *arg)
{
	struct caller *c = arg;

	__atomic_store_n(&c->tid, syscall(SYS_gettid), __ATOMIC_RELEASE);
	c->result = c->fn();
	return 0;
}

static void start(struct caller *c, int n, int (*fn)(void))
{
	int i;

	for (i = 0; i < n; i++) {
		c[i].fn = fn;
		c[i].tid = 0;
		if (pthread_create(&c[i].thread, 0, call, &c[i]))
			die("pthread_create");
	}
}

/* Prints "N callers saw V" when all agree, else each result. */
static void join(struct caller *c, int n)
{
	int i, same = 1;

	for (i = 0; i < n; i++) {
		pthread_join(c[i].thread, 0);
		same &= c[i].result == c[0].result;
	}
	if (same) {
		printf("%d callers saw %d\n", n, c[0].result);
		return;
	}
	for (i = 0; i < n; i++)
		printf("caller %d saw %d\n", i, c[i].result);
}

/* "WHEN: STATE", with the init function's status when it failed. */
static void say_state(void *lib, const char *when, int state)
{
	static const char *names[] = {
		"not started", "running", "done", "failed"
	};

	printf("%s: %s", when, state >= 0 && state < 4 ? names[state] : "?");
	if (state == STATE_FAILED)
		printf(", status %d", ((int (*)(void))sym(lib, "lib_status"))());
	printf("\n");
}

void print_state(void *lib, const char *when)
{
	say_state(lib, when, ((int (*)(void))sym(lib, "lib_state"))());
}

/* Held init, N callers asleep at the gate, then all released. */
static int mode_gate(const char *path, int n, int lazy)
{
	struct caller c[MAX_CALLERS];
	int gate = hold("");
	void *lib = open_lib(path);

	print_state(lib, "after dlopen");
	start(c, n, sym(lib, "lib_value"));
	if (lazy) {
		/* One caller claimed init and is reading the pipe. */
		wait_in(c, n, NR_READ, 1);
		wait_in(c, n, NR_FUTEX, n - 1);
		printf("1 caller runs init, %d asleep at the gate\n", n - 1);
	} else {
		wait_in(c, n, NR_FUTEX, n);
		printf("%d callers asleep at the gate\n", n);
	}
	print_state(lib, "while held");
	release(gate);
	join(c, n);
	print_state(lib, "after release");
	return 0;
}

/* Init opens the gate early and keeps running on a second pipe. */
static int mode_early(const char *path, int n)
{
	struct caller c[MAX_CALLERS];
	int gate = hold(""), p[2];
	char fd[16];
	void *lib;

	release(gate);
	if (pipe(p))
		die("pipe");
	snprintf(fd, sizeof fd, "%d", p[0]);
	setenv("HELD_EARLY_FD", fd, 1);
	lib = open_lib(path);
	start(c, n, sym(lib, "lib_value"));
	join(c, n);
	print_state(lib, "init still running on its thread, gate");
	release(p[1]);
	return 0;
}

/*
 * Two libraries, held separately: releasing one leaves the other shut.  A
 * is opened RTLD_GLOBAL, so whatever of B's binds by name (a symbol of the
 * runtime, its call to its own init function) would find A's first.
 */
static int mode_two(const char *path_a, const char *path_b)
{
	struct caller a, b;
	int gate_a = hold("A_"), gate_b = hold("B_");
	void *lib_a = open_with(path_a, RTLD_GLOBAL);
	void *lib_b = open_lib(path_b);

	start(&a, 1, sym(lib_a, "lib_value"));
	start(&b, 1, sym(lib_b, "lib_value"));
	wait_in(&a, 1, NR_FUTEX, 1);
	wait_in(&b, 1, NR_FUTEX, 1);
	printf("both callers asleep\n");
	release(gate_b);
	pthread_join(b.thread, 0);
	printf("B's caller saw %d\n", b.result);
	print_state(lib_a, "A");
	release(gate_a);
	pthread_join(a.thread, 0);
	printf("A's caller saw %d\n", a.result);
	return 0;
}

static int other_thread_in(long nr)
{
	struct dirent *task;
	DIR *dir = opendir("/proc/self/task");
	int found = 0;

	while (dir && !found && (task = readdir(dir)))
		found = atol(task->d_name) > 0 &&
			atol(task->d_name) != syscall(SYS_gettid) &&
			in_syscall(atol(task->d_name)) == nr;
	if (dir)
		closedir(dir);
	return found;
}

static void *do_fork(void *arg)
{
	int (*value)(void) = arg;
	int status;
	pid_t child = fork();

	if (child == 0)
		_exit(value() == 42 ? 0 : 1);
	if (child < 0 || waitpid(child, &status, 0) != child)
		die("fork");
	printf("child saw the initialized state: %s\n",
	       WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "yes" : "no");
	return 0;
}

/* fork() during init waits for init, so the child gets an open gate. */
static int mode_fork(const char *path)
{
	pthread_t forker;
	int gate = hold("");
	void *lib = open_lib(path);

	if (pthread_create(&forker, 0, do_fork,
			   sym(lib, "lib_value")))
		die("pthread_create");
	/* The forking thread records no tid: it is the only thread asleep
	 * in futex (the init thread is reading the pipe). */
	while (!other_thread_in(NR_FUTEX))
		sched_yield();
	printf("fork is waiting for init\n");
	release(gate);
	pthread_join(forker, 0);
	return 0;
}

/* Without fork handlers (no libc): the child of a fork during init must
 * stop with a message, not wait forever for a thread it does not have. */
static int mode_orphan(const char *path)
{
	int gate = hold(""), status;
	void *lib = open_lib(path);
	int (*value)(void) = sym(lib, "lib_value");
	pid_t child = fork();

	if (child == 0)
		_exit(value());
	if (child < 0 || waitpid(child, &status, 0) != child)
		die("fork");
	printf("child of a fork during init: %s\n",
	       WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT
	       ? "aborted" : "went on");
	release(gate);
	printf("parent then saw %d\n", value());
	return 0;
}

/* Appends what the pipe holds to buf; blocking or not, as the fd is. */
static size_t drain(int fd, char *buf, size_t len, size_t cap)
{
	ssize_t got;

	while (len < cap - 1 && (got = read(fd, buf + len, cap - 1 - len)) > 0) {
		len += got;
		buf[len] = 0;
		if (!(fcntl(fd, F_GETFL) & O_NONBLOCK))
			break;
	}
	return len;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/*
 * The watchdog warns on our own stderr, which this mode reads through a
 * pipe.  One or two callers (of two functions) wait with init held: each
 * must warn once, not before LIMIT_MS, and never again however long init
 * then stays held (PERIODS more limits).  That hold waits on the clock
 * because time passing is what is tested; nothing is synchronized that way.
 */
static int mode_watchdog(const char *path, long limit_ms, int periods,
			 int callers)
{
	struct caller c[2];
	int gate = hold(""), p[2], saved = dup(2);
	long long begun, first = 0, until;
	struct timespec tick = { 0, 1000000 };
	char buf[8192] = "";
	size_t len = 0;
	void *lib;

	if (callers < 1 || callers > 2)
		die("the watchdog mode takes 1 or 2 callers");
	if (pipe(p) || saved < 0)
		die("pipe");
	dup2(p[1], 2);
	close(p[1]);
	lib = open_lib(path);
	begun = now_ns();
	start(&c[0], 1, sym(lib, "lib_value"));
	if (callers > 1)
		start(&c[1], 1, sym(lib, "lib_self_call_result"));
	while (count_lines(buf) < callers && len < sizeof buf - 1) {
		len = drain(p[0], buf, len, sizeof buf);
		if (!first && count_lines(buf))
			first = now_ns();
	}

	until = now_ns() + periods * limit_ms * 1000000LL;
	while (now_ns() < until)
		nanosleep(&tick, 0);
	release(gate);
	pthread_join(c[0].thread, 0);
	if (callers > 1)
		pthread_join(c[1].thread, 0);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	drain(p[0], buf, len, sizeof buf);

	dup2(saved, 2);
	fputs(buf, stderr);
	printf("first warning after at least %ld ms: %s\n", limit_ms,
	       first - begun >= limit_ms * 1000000LL ? "yes" : "no");
	printf("caller then saw %d\n", c[0].result);
	return 0;
}

static int mode_call(const char *path, const char *name)
{
	void *lib = open_lib(path);

	printf("%s returned %d\n", name, ((int (*)(void))sym(lib, name))());
	print_state(lib, "then");
	return 0;
}

static int mode_ctor(const char *path)
{
	void *lib = open_lib(path);

	print_state(lib, "after dlopen");
	printf("init ran on the loading thread: %s\n",
	       ((long (*)(void))sym(lib, "lib_init_tid"))() ==
	       syscall(SYS_gettid) ? "yes" : "no");
	return 0;
}

static int mode_args(const char *path)
{
	void *lib = open_lib(path);
	char **argv;

	((int (*)(void))sym(lib, "lib_value"))();
	argv = ((char **(*)(void))sym(lib, "lib_argv"))();
	printf("argc %d, argv[1] %s\n",
	       ((int (*)(void))sym(lib, "lib_argc"))(),
	       argv && argv[0] && argv[1] ? argv[1] : "(none)");
	return 0;
}

static int mode_nodelete(const char *path)
{
	void *lib = open_lib(path);

	((int (*)(void))sym(lib, "lib_value"))();
	dlclose(lib);
	printf("still loaded after dlclose: %s\n",
	       dlopen(path, RTLD_NOW | RTLD_NOLOAD) ? "yes" : "no");
	return 0;
}

/* The query API while init is held, then once it has ended.  A timed wait
 * must last its whole timeout: a lower bound on our monotonic clock. */
static int mode_wait_for(const char *path)
{
	int gate = hold("");
	void *lib = open_lib(path);
	int (*wait_for)(long) = sym(lib, "lib_wait_for");
	long long begun;
	int state;
	char when[64];

	print_state(lib, "after dlopen");
	say_state(lib, "wait_for(0) while held", wait_for(0));

	begun = now_ns();
	state = wait_for(WAIT_MS);
	snprintf(when, sizeof when, "wait_for(%d) while held", WAIT_MS);
	say_state(lib, when, state);
	printf("it returned after at least %d ms: %s\n", WAIT_MS,
	       now_ns() - begun >= WAIT_MS * 1000000LL ? "yes" : "no");

	release(gate);
	say_state(lib, "wait_for(-1) after release", wait_for(-1));
	print_state(lib, "then");
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[1] : "", *lib = argc > 2 ? argv[2] : 0;
	int n = argc > 3 ? atoi(argv[3]) : 1;

	setvbuf(stdout, 0, _IONBF, 0);
	if ((!strcmp(mode, "gate") || !strcmp(mode, "lazy") ||
	     !strcmp(mode, "early")) && (n < 1 || n > MAX_CALLERS))
		die("bad number of callers");
	if (!strcmp(mode, "gate"))
		return mode_gate(lib, n, 0);
	if (!strcmp(mode, "lazy"))
		return mode_gate(lib, n, 1);
	if (!strcmp(mode, "early"))
		return mode_early(lib, n);
	if (!strcmp(mode, "two") && argc > 3)
		return mode_two(lib, argv[3]);
	if (!strcmp(mode, "fork"))
		return mode_fork(lib);
	if (!strcmp(mode, "orphan"))
		return mode_orphan(lib);
	if (!strcmp(mode, "watchdog") && argc > 5)
		return mode_watchdog(lib, atol(argv[3]), atoi(argv[4]), atoi(argv[5]));
	if (!strcmp(mode, "thread"))
		return mode_thread(lib);
	if (!strcmp(mode, "nothread"))
		return mode_first_call(lib, 1);
	if (!strcmp(mode, "first_call"))
		return mode_first_call(lib, 0);
	if (!strcmp(mode, "call") && argc > 3)
		return mode_call(lib, argv[3]);
	if (!strcmp(mode, "ctor"))
		return mode_ctor(lib);
	if (!strcmp(mode, "args"))
		return mode_args(lib);
	if (!strcmp(mode, "nodelete"))
		return mode_nodelete(lib);
	if (!strcmp(mode, "wait_for"))
		return mode_wait_for(lib);
	die("usage: host MODE LIB [LIB2 | N | FUNCTION | LIMIT_MS PERIODS N]");
	return 2;
}
