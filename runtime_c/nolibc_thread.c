/*
 * The no-libc flavour's thread: a raw clone (arch/ARCH.S) onto a fresh
 * mmap'ed stack with a guard region below it, no TLS of its own (the
 * runtime never touches TLS), and every signal blocked.  The stack is
 * never unmapped: the thread may live as long as the process.
 */
#include "nolibc.h"

/* CLONE_VM | FS | FILES | SIGHAND | THREAD | SYSVSEM: a thread. */
#define INITGATE_CLONE_THREAD_FLAGS 0x50f00UL

/* 64 KiB: at least one page wherever pages are 4 or 64 KiB. */
#define INITGATE_GUARD_SIZE 0x10000UL

static void trampoline(void *fn)
{
	((void (*)(void))fn)();
}

int _initgate_os_start_thread(void (*fn)(void))
{
	unsigned long size = (INITGATE_STACK_SIZE + 15) & ~15UL;
	unsigned long long all = ~0ULL, old;
	long base, tid;

	base = _initgate_syscall(INITGATE_SYS_mmap, 0,
				 INITGATE_GUARD_SIZE + size, INITGATE_PROT_RW,
				 INITGATE_MAP_ANON_PRIVATE, -1, 0);
	if (base < 0 && base > -4096)
		return (int)-base;
	initgate_sys(INITGATE_SYS_mprotect, base, INITGATE_GUARD_SIZE,
		     INITGATE_PROT_NONE);

	/* The child inherits the mask at clone: block all, restore after. */
	_initgate_syscall(INITGATE_SYS_rt_sigprocmask, INITGATE_SIG_SETMASK,
			  (long)&all, (long)&old, sizeof all, 0, 0);
	tid = _initgate_clone0(INITGATE_CLONE_THREAD_FLAGS,
			       (void *)(base + INITGATE_GUARD_SIZE + size),
			       trampoline, (void *)fn);
	_initgate_syscall(INITGATE_SYS_rt_sigprocmask, INITGATE_SIG_SETMASK,
			  (long)&old, 0, sizeof old, 0, 0);

	if (tid < 0) {
		initgate_sys(INITGATE_SYS_munmap, base,
			     INITGATE_GUARD_SIZE + size, 0);
		return (int)-tid;
	}
	return 0;
}

/* "libfoo.so.1" shows as "libfoo-init", where prctl has a number. */
void _initgate_os_name_thread(const char *library)
{
#ifdef INITGATE_SYS_prctl
	char name[16];
	int n = 0, i;

	while (library && library[n] && library[n] != '.' && n < 10) {
		name[n] = library[n];
		n++;
	}
	for (i = 0; i < 6; i++)
		name[n + i] = "-init"[i];
	initgate_sys(INITGATE_SYS_prctl, 15 /* PR_SET_NAME */, name, 0);
#else
	(void)library;
#endif
}
