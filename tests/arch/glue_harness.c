/*
 * glue_harness: proves one architecture's system call glue
 * (runtime_c/arch/ARCH.S and ARCH.h) by using nothing else for the work.
 *
 * Built per architecture as a glibc program with `-include ARCH.h` and
 * linked with ARCH.S; run under qemu-user (i386 natively).  glibc only
 * starts the process and formats failure messages; every system call the
 * checks rely on goes through _initgate_syscall with the numbers of ARCH.h:
 *
 * 1. A failing call returns -errno (ppc64le signals failure in cr0.SO).
 * 2. mmap with a file descriptor and an offset reads the right bytes, so
 *    all six arguments reach the kernel (s390x passes them in memory).
 * 3. Several threads from _initgate_clone0, each on its own mmapped stack
 *    with a PROT_NONE guard page, do work, report gettid and getpid, block
 *    every signal for themselves, and wake the parent through a futex.
 *    A second futex holds them alive while the parent checks them with
 *    tgkill(sig 0); released, they return from fn and the glue exits them
 *    with exit (not exit_group): the parent goes on, sees each thread gone
 *    (tgkill: ESRCH) and unmaps the stacks.
 * 4. clone0 with flags the kernel refuses returns -EINVAL.
 * 5. exit_group ends the process with the status the test expects.
 *
 * Prints "glue ok" and exits 7 on success (a status only exit_group gives);
 * on failure prints "FAIL: ..." and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

long _initgate_syscall(long number, long a1, long a2, long a3, long a4,
		       long a5, long a6);
long _initgate_clone0(unsigned long flags, void *stack_top,
		      void (*fn)(void *), void *arg);

#define THREADS 3
#define STACK_SIZE (256 * 1024)
#define GUARD 65536		/* covers every page size of the matrix */
#define FILE_OFFSET 65536	/* a multiple of every page size */
#define KERNEL_SIGSET 8		/* the kernel's sigset_t: 64 signals */

/*
 * Signals 1-31 but SIGKILL and SIGSTOP, which cannot be blocked.  Only
 * these are checked: qemu-user keeps the highest real-time signals for
 * itself and never reports them blocked.
 */
#define CLASSIC ((1ULL << 31) - 1)
#define BLOCKABLE (CLASSIC & ~(1ULL << (SIGKILL - 1)) & \
		   ~(1ULL << (SIGSTOP - 1)))

#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
		      CLONE_THREAD | CLONE_SYSVSEM)

#define sys(n, a, b, c, d, e, f) \
	_initgate_syscall((n), (long)(a), (long)(b), (long)(c), (long)(d), \
			  (long)(e), (long)(f))

struct work {
	long n;			/* in: sum 1..n */
	long sum;		/* out */
	long tid;
	long pid;
	unsigned long long mask; /* the child's signal mask after blocking */
	char *stack_local;	/* where the child's locals live */
	int done;		/* futex: the child has reported */
	int go;			/* futex: the parent lets the child return */
};

static long mmap6(long addr, long len, long prot, long flags, long fd,
		  long offset)
{
#ifdef INITGATE_MMAP_PGOFF
	offset /= 4096;
#endif
	return sys(INITGATE_SYS_mmap, addr, len, prot, flags, fd, offset);
}

static void futex_wait(int *word, int while_value)
{
	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == while_value)
		sys(INITGATE_SYS_futex, word, FUTEX_WAIT_PRIVATE, while_value,
		    0, 0, 0);
}

static void futex_set_and_wake(int *word)
{
	__atomic_store_n(word, 1, __ATOMIC_RELEASE);
	sys(INITGATE_SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0);
}

/* The thread's body: no libc here, the thread has no TLS of its own. */
static void child(void *arg)
{
	struct work *w = arg;
	unsigned long long all = ~0ULL, now = 0;
	char local = 0;
	long i, sum = 0;

	for (i = 1; i <= w->n; i++)
		sum += i;
	w->sum = sum;
	w->tid = sys(INITGATE_SYS_gettid, 0, 0, 0, 0, 0, 0);
	w->pid = sys(INITGATE_SYS_getpid, 0, 0, 0, 0, 0, 0);
	sys(INITGATE_SYS_rt_sigprocmask, SIG_SETMASK, &all, 0, KERNEL_SIGSET,
	    0, 0);
	sys(INITGATE_SYS_rt_sigprocmask, SIG_BLOCK, 0, &now, KERNEL_SIGSET,
	    0, 0);
	w->mask = now;
	w->stack_local = &local;
	futex_set_and_wake(&w->done);
	futex_wait(&w->go, 0);
}

static void say(const char *text)
{
	sys(INITGATE_SYS_write, 1, text, strlen(text), 0, 0, 0);
}

static int fail(const char *what, long got, long want)
{
	char line[160];

	snprintf(line, sizeof(line), "FAIL: %s: got %ld, expected %ld\n",
		 what, got, want);
	say(line);
	return 1;
}

static int check_errno_convention(void)
{
	long r = sys(INITGATE_SYS_write, -1, "x", 1, 0, 0, 0);

	return r == -EBADF ? 0 : fail("write(-1) result", r, -EBADF);
}

/* Maps page FILE_OFFSET of a memfd and compares it with what was written. */
static int check_six_arguments(void)
{
	static unsigned char data[2 * FILE_OFFSET];
	long fd, got, i;
	unsigned char *page;

	for (i = 0; i < (long)sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + i / 4096);
	fd = sys(SYS_memfd_create, "glue", 0, 0, 0, 0, 0);
	if (fd < 0)
		return fail("memfd_create", fd, 0);
	got = sys(INITGATE_SYS_write, fd, data, sizeof(data), 0, 0, 0);
	if (got != (long)sizeof(data))
		return fail("write to memfd", got, sizeof(data));

	got = mmap6(0, 4096, PROT_READ, MAP_SHARED, fd, FILE_OFFSET);
	if (got < 0 && got > -4096)
		return fail("mmap of the memfd", got, 0);
	page = (unsigned char *)got;
	if (memcmp(page, data + FILE_OFFSET, 4096) != 0)
		return fail("mmap offset: first byte", page[0],
			    data[FILE_OFFSET]);
	got = sys(INITGATE_SYS_munmap, page, 4096, 0, 0, 0, 0);
	if (got != 0)
		return fail("munmap", got, 0);
	sys(SYS_close, fd, 0, 0, 0, 0, 0);
	return 0;
}

static char *map_stack(void)
{
	long base = mmap6(0, STACK_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (base < 0 && base > -4096) {
		fail("mmap of a stack", base, 0);
		return NULL;
	}
	if (sys(INITGATE_SYS_mprotect, base, GUARD, PROT_NONE, 0, 0, 0) != 0) {
		fail("mprotect of the guard", -1, 0);
		return NULL;
	}
	return (char *)base;
}

static int check_threads(void)
{
	static struct work works[THREADS];
	char *stacks[THREADS];
	long tids[THREADS], pid, r;
	unsigned long long before = 0, after = 0;
	int i;

	pid = sys(INITGATE_SYS_getpid, 0, 0, 0, 0, 0, 0);
	sys(INITGATE_SYS_rt_sigprocmask, SIG_BLOCK, 0, &before, KERNEL_SIGSET,
	    0, 0);

	for (i = 0; i < THREADS; i++) {
		works[i].n = 1000 * (i + 1);
		stacks[i] = map_stack();
		if (!stacks[i])
			return 1;
		tids[i] = _initgate_clone0(THREAD_FLAGS, stacks[i] + STACK_SIZE,
					   child, &works[i]);
		if (tids[i] <= 0)
			return fail("clone0", tids[i], 1);
	}

	for (i = 0; i < THREADS; i++) {
		struct work *w = &works[i];

		futex_wait(&w->done, 0);
		if (w->sum != w->n * (w->n + 1) / 2)
			return fail("the thread's sum", w->sum,
				    w->n * (w->n + 1) / 2);
		if (w->tid != tids[i])
			return fail("the thread's gettid", w->tid, tids[i]);
		if (w->pid != pid)
			return fail("the thread's getpid", w->pid, pid);
		if ((w->mask & CLASSIC) != BLOCKABLE)
			return fail("the thread's blocked signals",
				    (long)(w->mask & CLASSIC), (long)BLOCKABLE);
		if (w->stack_local < stacks[i] + GUARD ||
		    w->stack_local >= stacks[i] + STACK_SIZE)
			return fail("the thread's stack is the mapped one", 0, 1);
		r = sys(INITGATE_SYS_tgkill, pid, tids[i], 0, 0, 0, 0);
		if (r != 0)
			return fail("tgkill(0) of a live thread", r, 0);
	}

	sys(INITGATE_SYS_rt_sigprocmask, SIG_BLOCK, 0, &after, KERNEL_SIGSET,
	    0, 0);
	if (after != before)
		return fail("the parent's signal mask", (long)after,
			    (long)before);

	/* Release them; each exit ends one thread, never this one. */
	for (i = 0; i < THREADS; i++)
		futex_set_and_wake(&works[i].go);
	for (i = 0; i < THREADS; i++) {
		while (sys(INITGATE_SYS_tgkill, pid, tids[i], 0, 0, 0, 0) == 0)
			sys(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
		r = sys(INITGATE_SYS_tgkill, pid, tids[i], 0, 0, 0, 0);
		if (r != -ESRCH)
			return fail("tgkill(0) of an exited thread", r, -ESRCH);
		r = sys(INITGATE_SYS_munmap, stacks[i], STACK_SIZE, 0, 0, 0, 0);
		if (r != 0)
			return fail("munmap of a stack", r, 0);
	}
	return 0;
}

static int check_clone_failure(void)
{
	static struct work unused;
	char stack[256] __attribute__((aligned(16)));
	long r;

	/* CLONE_THREAD without CLONE_SIGHAND: refused by kernel and qemu. */
	r = _initgate_clone0(CLONE_VM | CLONE_THREAD, stack + sizeof(stack),
			     child, &unused);
	return r == -EINVAL ? 0 : fail("clone0 with bad flags", r, -EINVAL);
}

int main(void)
{
	if (check_errno_convention() || check_six_arguments() ||
	    check_threads() || check_clone_failure())
		return 1;
	say("glue ok\n");
	sys(INITGATE_SYS_exit_group, 7, 0, 0, 0, 0, 0);
	say("FAIL: exit_group returned\n");
	return 1;
}
