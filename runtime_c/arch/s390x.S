/*
 * s390x system call glue for the no-libc runtime (see ABI.md,
 * "Per-architecture glue").  `svc 0` takes the number in r1 and the
 * arguments in r2-r7, returns in r2 (-errno on failure) and preserves every
 * other register, in the child of clone too.  r6-r15 belong to the caller;
 * a routine may save them in the caller's register save area, 48(%r15)
 * onwards for r6.  Integer arguments past the fifth arrive at 160(%r15).
 */
#include "s390x.h"

	.text

/*
 * long _initgate_syscall(long number, long a1, long a2, long a3,
 *                        long a4, long a5, long a6);
 *
 *	r2 number -> r1		r6 a4 -> r5
 *	r3 a1 -> r2		160(%r15) a5 -> r6
 *	r4 a2 -> r3		168(%r15) a6 -> r7
 *	r5 a3 -> r4		result in r2
 *
 * mmap is the old call here, taking one pointer to its six arguments:
 * those are r2-r7 once shuffled, stored in order just below the stack
 * pointer (the kernel never writes above a signal frame it pushes), so
 * callers pass mmap six arguments as everywhere else.
 */
	.globl	_initgate_syscall
	.hidden	_initgate_syscall
	.type	_initgate_syscall, @function
	.p2align 3
_initgate_syscall:
	stmg	%r6, %r7, 48(%r15)
	lgr	%r1, %r2
	lgr	%r2, %r3
	lgr	%r3, %r4
	lgr	%r4, %r5
	lgr	%r5, %r6
	lg	%r6, 160(%r15)
	lg	%r7, 168(%r15)
	cghi	%r1, INITGATE_SYS_mmap
	jne	1f
	aghi	%r15, -48
	stmg	%r2, %r7, 0(%r15)
	lgr	%r2, %r15
	svc	0
	aghi	%r15, 48
	j	2f
1:	svc	0
2:	lmg	%r6, %r7, 48(%r15)
	br	%r14
	.size	_initgate_syscall, . - _initgate_syscall

/*
 * long _initgate_clone0(unsigned long flags, void *stack_top,
 *                       void (*fn)(void *), void *arg);
 *
 *	r2 flags		clone(r2 stack, r3 flags, r4 ptid, r5 ctid,
 *	r3 stack_top		      r6 tls): s390 swaps the first two
 *	r4 fn			r8 fn, r9 arg: survive svc, in both threads
 *	r5 arg			result in r2: the child's tid or -errno
 *
 * The child's first frame is 160 bytes with a null back chain: the
 * register save area fn is entitled to.
 */
	.globl	_initgate_clone0
	.hidden	_initgate_clone0
	.type	_initgate_clone0, @function
	.p2align 3
_initgate_clone0:
	stmg	%r6, %r9, 48(%r15)
	lgr	%r8, %r4
	lgr	%r9, %r5
	lgr	%r0, %r2
	nill	%r3, 0xfff8		/* the stack is 8-byte aligned */
	aghi	%r3, -160
	lghi	%r1, 0
	stg	%r1, 0(%r3)		/* null back chain */
	lgr	%r2, %r3		/* stack first ... */
	lgr	%r3, %r0		/* ... then flags */
	lghi	%r4, 0
	lghi	%r5, 0
	lghi	%r6, 0
	lghi	%r1, INITGATE_SYS_clone
	svc	0
	ltgr	%r2, %r2
	jz	1f
	lmg	%r6, %r9, 48(%r15)
	br	%r14			/* parent: tid or -errno */

1:	/* Child, on the new stack. */
	lgr	%r2, %r9
	basr	%r14, %r8
	lghi	%r2, 0
	lghi	%r1, INITGATE_SYS_exit
	svc	0
	.word	0			/* exit returned: illegal, traps */
	.size	_initgate_clone0, . - _initgate_clone0

	.section .note.GNU-stack, "", @progbits
