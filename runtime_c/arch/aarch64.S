/*
 * aarch64 system call glue for the no-libc runtime (see ABI.md,
 * "Per-architecture glue").  The kernel takes the number in x8 and the
 * arguments in x0-x5, traps on `svc #0`, returns in x0 (-errno on failure)
 * and preserves every other register, in the child of clone too.
 */
#include "aarch64.h"

	.text

/*
 * long _initgate_syscall(long number, long a1, long a2, long a3,
 *                        long a4, long a5, long a6);
 *
 *	x0 number -> x8		x4 a4 -> x3
 *	x1 a1 -> x0		x5 a5 -> x4
 *	x2 a2 -> x1		x6 a6 -> x5
 *	x3 a3 -> x2		result in x0
 */
	.globl	_initgate_syscall
	.hidden	_initgate_syscall
	.type	_initgate_syscall, %function
	.p2align 2
_initgate_syscall:
	mov	x8, x0
	mov	x0, x1
	mov	x1, x2
	mov	x2, x3
	mov	x3, x4
	mov	x4, x5
	mov	x5, x6
	svc	#0
	ret
	.size	_initgate_syscall, . - _initgate_syscall

/*
 * long _initgate_clone0(unsigned long flags, void *stack_top,
 *                       void (*fn)(void *), void *arg);
 *
 *	x0 flags		clone: x0 flags, x1 stack, x2 ptid,
 *	x1 stack_top		  x3 tls, x4 ctid
 *	x2 fn			x9 fn, x10 arg: survive svc in both threads
 *	x3 arg			result in x0: the child's tid or -errno
 */
	.globl	_initgate_clone0
	.hidden	_initgate_clone0
	.type	_initgate_clone0, %function
	.p2align 2
_initgate_clone0:
	mov	x9, x2
	mov	x10, x3
	and	x1, x1, #-16		/* sp must be 16-byte aligned */
	mov	x2, xzr
	mov	x3, xzr
	mov	x4, xzr
	mov	x8, #INITGATE_SYS_clone
	svc	#0
	cbz	x0, 1f
	ret				/* parent: tid or -errno */

1:	/* Child, on the new stack: end the frame chain for unwinders. */
	mov	x29, xzr
	mov	x30, xzr
	mov	x0, x10
	blr	x9
	mov	x0, #0
	mov	x8, #INITGATE_SYS_exit
	svc	#0
	brk	#0x1			/* exit returned: trap */
	.size	_initgate_clone0, . - _initgate_clone0

	.section .note.GNU-stack, "", %progbits
