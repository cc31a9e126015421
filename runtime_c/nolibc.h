/*
 * What the no-libc flavour's files share: the per-architecture glue
 * (runtime_c/arch/ARCH.S and ARCH.h, chosen by `initgate runtime` through
 * -DINITGATE_ARCH_HEADER) and the Linux constants that are the same on
 * every architecture initgate supports.
 */
#ifndef INITGATE_NOLIBC_H
#define INITGATE_NOLIBC_H

#include "internal.h"
#include INITGATE_ARCH_HEADER

#define INITGATE_FUTEX_WAIT_PRIVATE	128	/* FUTEX_WAIT | PRIVATE_FLAG */
#define INITGATE_FUTEX_WAKE_PRIVATE	129	/* FUTEX_WAKE | PRIVATE_FLAG */

#define INITGATE_PROT_NONE	0
#define INITGATE_PROT_RW	3	/* PROT_READ | PROT_WRITE */
#define INITGATE_MAP_ANON_PRIVATE 0x22	/* MAP_PRIVATE | MAP_ANONYMOUS */

#define INITGATE_SIG_UNBLOCK	1
#define INITGATE_SIG_SETMASK	2
#define INITGATE_SIGABRT	6

#pragma GCC visibility push(hidden)

long _initgate_syscall(long number, long a1, long a2, long a3, long a4,
		       long a5, long a6);
long _initgate_clone0(unsigned long flags, void *stack_top,
		      void (*fn)(void *), void *arg);

/* The kernel's struct timespec for futex and clock_gettime. */
struct initgate_timespec {
	long tv_sec;
	long tv_nsec;
};

#pragma GCC visibility pop

#define initgate_sys(n, a, b, c) \
	_initgate_syscall(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)

#endif
