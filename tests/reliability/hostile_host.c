/*
 * Hosts that do what a careful host would not, each a mode:
 *
 *   hostile_host MODE LIB [ARG]
 *
 * LIB is tests/runtime/held.c or bare.c, gated; its init blocks reading a
 * byte from the fd in HELD_FD, which this program (or, for `linked`, the
 * test) holds.  "Waiting at the gate" is proven from the kernel's view of
 * a thread (asleep in futex), never by sleeping.  Each mode prints one fact
 * a line and exits 0; anything unexpected exits 3 with a message.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NR_FUTEX 202
#define MAX_THREADS 64

static void die(const char *what)
{
	fprintf(stderr, "hostile_host: %s\n", what);
	exit(3);
}

static void *open_lib(const char *path)
{
	void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (!lib)
		die(dlerror());
	return lib;
}

static void *sym(void *lib, const char *name)
{
	void *p = dlsym(lib, name);

	if (!p)
		die(dlerror());
	return p;
}

static int hold(void)
{
	char fd[16];
	int p[2];

	if (pipe(p))
		die("pipe");
	snprintf(fd, sizeof fd, "%d", p[0]);
	setenv("HELD_FD", fd, 1);
	return p[1];
}

static void release(int fd)
{
	if (write(fd, "x", 1) != 1)
		die("release");
}

static long gettid_(void)
{
	return syscall(SYS_gettid);
}

static long in_syscall(long tid)
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

/* Waits until at least n threads other than the init thread sleep in
 * futex; the init thread is the one named "*-init". */
static long init_tid;

static int is_init_thread(long tid)
{
	char path[64], line[32] = "";
	FILE *f;

	snprintf(path, sizeof path, "/proc/self/task/%ld/comm", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(line, sizeof line, f))
		line[0] = 0;
	fclose(f);
	return strstr(line, "-init\n") != 0;
}

static int threads_in_futex(void)
{
	struct dirent *task;
	DIR *dir = opendir("/proc/self/task");
	int found = 0;

	while (dir && (task = readdir(dir))) {
		long tid = atol(task->d_name);

		if (tid <= 0)
			continue;
		if (is_init_thread(tid))
			init_tid = tid;
		else if (in_syscall(tid) == NR_FUTEX)
			found++;
	}
	if (dir)
		closedir(dir);
	return found;
}

static void wait_futex(int n)
{
	while (threads_in_futex() < n)
		sched_yield();
}

static int (*value_fn)(void);
static int (*lib_state)(void);

static void *call_value(void *result)
{
	*(int *)result = value_fn();
	return 0;
}

/* The executable's constructor dlopens the library and calls it while
 * init is held; a helper thread releases init once the call waits. */
static int ctor_result = -1;
static int release_fd = -1;

static void *release_when_waiting(void *arg)
{
	(void)arg;
	wait_futex(1);
	release(release_fd);
	return 0;
}

__attribute__((constructor))
static void host_constructor(void)
{
	const char *mode = getenv("HOSTILE_CTOR");
	pthread_t helper;

	if (!mode)
		return;
	if (!strcmp(mode, "dlopen")) {
		release_fd = hold();
		value_fn = sym(open_lib(getenv("HOSTILE_LIB")), "lib_value");
	} else if (!strcmp(mode, "plugin")) {
		/* A plugin's constructor dlopens LIB and calls it, under the
		 * loader's lock (tests/reliability/plugin.c). */
		release_fd = hold();
		if (pthread_create(&helper, 0, release_when_waiting, 0))
			die("pthread_create");
		open_lib(getenv("HOSTILE_PLUGIN"));
		pthread_join(helper, 0);
		value_fn = sym(open_lib(getenv("HOSTILE_LIB")), "lib_value");
		ctor_result = value_fn();
		return;
	} else {
#ifdef HOSTILE_LINKED
		/* Linked: the test passed the pipe; init is held already. */
		extern int lib_value_linked(void) __asm__("lib_value");

		release_fd = atoi(getenv("HOSTILE_RELEASE_FD"));
		value_fn = lib_value_linked;
#else
		die("built without HOSTILE_LINKED");
#endif
	}
	if (pthread_create(&helper, 0, release_when_waiting, 0))
		die("pthread_create");
	ctor_result = value_fn();
	pthread_join(helper, 0);
}

static int mode_ctor(void)
{
	printf("constructor's call waited and saw %d\n", ctor_result);
	printf("main then saw %d\n", value_fn());
	return 0;
}

/* Several threads dlopen one library at once, then call it. */
struct opener {
	pthread_t thread;
	const char *path;
	int result;
};

static int go;

static void *open_and_call(void *arg)
{
	struct opener *o = arg;
	void *lib;

	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		sched_yield();
	lib = open_lib(o->path);
	o->result = ((int (*)(void))sym(lib, "stress_all"))();
	return 0;
}

static int mode_dlopen_threads(const char *path, int n)
{
	struct opener o[MAX_THREADS];
	void (*counts)(unsigned long *, unsigned long *, int *);
	unsigned long calls, bad;
	int i, ok = 0, runs;

	for (i = 0; i < n; i++) {
		o[i].path = path;
		if (pthread_create(&o[i].thread, 0, open_and_call, &o[i]))
			die("pthread_create");
	}
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	for (i = 0; i < n; i++) {
		pthread_join(o[i].thread, 0);
		ok += o[i].result == 1;
	}
	counts = sym(open_lib(path), "stress_counts");
	counts(&calls, &bad, &runs);
	printf("%d of %d openers saw init complete\n", ok, n);
	printf("init ran %d time(s), %lu violations\n", runs, bad);
	return 0;
}

/* dlclose while init runs (and a caller waits): the library stays. */
static int mode_dlclose(const char *path)
{
	int gate = hold(), result = -1;
	void *lib = open_lib(path);
	pthread_t caller;

	value_fn = sym(lib, "lib_value");
	if (pthread_create(&caller, 0, call_value, &result))
		die("pthread_create");
	wait_futex(1);
	printf("dlclose during init returned %d\n", dlclose(lib));
	printf("still loaded: %s\n",
	       dlopen(path, RTLD_NOW | RTLD_NOLOAD) ? "yes" : "no");
	release(gate);
	pthread_join(caller, 0);
	printf("waiting caller saw %d, a later call %d\n", result, value_fn());
	return 0;
}

/* Many threads fork during init; every child (and grandchild) uses it. */
static void *fork_and_check(void *arg)
{
	int status, *ok = arg;
	pid_t child = fork();

	if (child == 0) {
		pid_t grandchild = fork();

		if (grandchild == 0)
			_exit(value_fn() == 42 ? 0 : 1);
		if (grandchild < 0 || waitpid(grandchild, &status, 0) < 0)
			_exit(2);
		_exit(value_fn() == 42 && WIFEXITED(status) &&
		      WEXITSTATUS(status) == 0 ? 0 : 1);
	}
	*ok = child > 0 && waitpid(child, &status, 0) == child &&
	      WIFEXITED(status) && WEXITSTATUS(status) == 0;
	return 0;
}

static int mode_fork_storm(const char *path, int n)
{
	pthread_t t[MAX_THREADS];
	int ok[MAX_THREADS], i, good = 0, gate = hold();

	value_fn = sym(open_lib(path), "lib_value");
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], 0, fork_and_check, &ok[i]))
			die("pthread_create");
	wait_futex(n);
	printf("%d forks waiting for init\n", n);
	release(gate);
	for (i = 0; i < n; i++) {
		pthread_join(t[i], 0);
		good += ok[i];
	}
	printf("%d of %d children and grandchildren saw 42\n", good, n);
	return 0;
}

/* A storm of handled signals at every thread while init is held. */
static const int storm_signals[] = { SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH,
				     SIGCHLD, SIGPIPE, SIGHUP, SIGINT, SIGTERM };
#define N_STORM (int)(sizeof storm_signals / sizeof storm_signals[0])
static unsigned long handled, on_init_thread;
static int storming = 1;

static void handler(int sig)
{
	(void)sig;
	__atomic_add_fetch(&handled, 1, __ATOMIC_RELAXED);
	if (gettid_() == __atomic_load_n(&init_tid, __ATOMIC_RELAXED))
		__atomic_add_fetch(&on_init_thread, 1, __ATOMIC_RELAXED);
}

static void storm_once(void)
{
	struct dirent *task;
	DIR *dir = opendir("/proc/self/task");
	int i;

	while (dir && (task = readdir(dir))) {
		long tid = atol(task->d_name);

		for (i = 0; tid > 0 && i < N_STORM; i++)
			syscall(SYS_tgkill, getpid(), tid, storm_signals[i]);
	}
	if (dir)
		closedir(dir);
	for (i = 0; i < N_STORM; i++)
		kill(getpid(), storm_signals[i]);
}

static void *storm(void *rounds)
{
	long i;

	for (i = 0; i < (long)rounds ||
	     __atomic_load_n(&storming, __ATOMIC_ACQUIRE); i++)
		storm_once();
	return 0;
}

static int mode_signals(const char *path, int n)
{
	struct sigaction sa;
	pthread_t t[MAX_THREADS], stormer;
	int result[MAX_THREADS], i, good = 0, gate = hold();

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;	/* no SA_RESTART: waits see EINTR */
	for (i = 0; i < N_STORM; i++)
		sigaction(storm_signals[i], &sa, 0);
	value_fn = sym(open_lib(path), "lib_value");
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], 0, call_value, &result[i]))
			die("pthread_create");
	/* The init thread names itself as it starts: wait for that too. */
	while (threads_in_futex() < n || !init_tid)
		sched_yield();
	if (pthread_create(&stormer, 0, storm, (void *)2000L))
		die("pthread_create");
	while (__atomic_load_n(&handled, __ATOMIC_RELAXED) < 5000)
		sched_yield();
	release(gate);
	for (i = 0; i < n; i++) {
		pthread_join(t[i], 0);
		good += result[i] == 42;
	}
	__atomic_store_n(&storming, 0, __ATOMIC_RELEASE);
	pthread_join(stormer, 0);
	printf("signals handled: %s\n", handled >= 5000 ? "thousands" : "few");
	printf("handled on the init thread: %lu\n", on_init_thread);
	printf("%d of %d callers saw 42\n", good, n);
	return 0;
}

static void *nothing(void *arg)
{
	return arg;
}

/* No thread can be created: a real RLIMIT_NPROC, as an unprivileged user. */
static int mode_nproc(const char *path)
{
	struct rlimit none = { 0, 0 };
	pthread_t probe;
	void *lib;
	int err;

	if (setrlimit(RLIMIT_NPROC, &none))
		die("setrlimit");
	if (geteuid() == 0 && (setgroups(0, 0) || setgid(65534) ||
			       setuid(65534)))
		die("cannot drop to uid 65534");
	err = pthread_create(&probe, 0, nothing, 0);
	if (err == 0)
		die("RLIMIT_NPROC 0 did not stop pthread_create");
	printf("pthread_create refused: %s\n", strerror(err));
	lib = open_lib(path);
	lib_state = sym(lib, "lib_state");
	printf("after dlopen: state %d\n", lib_state());
	printf("first call saw %d\n", ((int (*)(void))sym(lib, "lib_value"))());
	printf("init ran on the caller's thread: %s\n",
	       ((long (*)(void))sym(lib, "lib_init_tid"))() == gettid_()
	       ? "yes" : "no");
	return 0;
}

/* Leave while init is held and callers wait: exit, _exit, or return. */
static int mode_exit(const char *path, const char *how, int n)
{
	pthread_t t[MAX_THREADS];
	int result[MAX_THREADS], i;

	hold();
	value_fn = sym(open_lib(path), "lib_value");
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], 0, call_value, &result[i]))
			die("pthread_create");
	wait_futex(n);
	printf("leaving with init held and %d callers waiting\n", n);
	if (!strcmp(how, "exit"))
		exit(5);
	if (!strcmp(how, "_exit"))
		_exit(6);
	return 7;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	const char *lib = argc > 2 ? argv[2] : 0;
	int n = argc > 3 ? atoi(argv[3]) : 4;

	setvbuf(stdout, 0, _IONBF, 0);
	if (n < 1 || n > MAX_THREADS)
		n = 4;
	if (!strcmp(mode, "ctor"))
		return mode_ctor();
	if (!lib)
		die("usage: hostile_host MODE LIB [N|HOW]");
	if (!strcmp(mode, "dlopen_threads"))
		return mode_dlopen_threads(lib, n);
	if (!strcmp(mode, "dlclose"))
		return mode_dlclose(lib);
	if (!strcmp(mode, "fork_storm"))
		return mode_fork_storm(lib, n);
	if (!strcmp(mode, "signals"))
		return mode_signals(lib, n);
	if (!strcmp(mode, "nproc"))
		return mode_nproc(lib);
	if (!strcmp(mode, "exit") && argc > 3)
		return mode_exit(lib, argv[3], 4);
	die("unknown mode");
	return 2;
}
