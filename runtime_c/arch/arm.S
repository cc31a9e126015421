/*
 * 32-bit ARM (EABI) system call glue for the no-libc runtime (see ABI.md,
 * "Per-architecture glue").  The kernel takes the number in r7 and the
 * arguments in r0-r5, traps on `svc #0`, returns in r0 (-errno on failure)
 * and preserves every other register, in the child of clone too.
 *
 * Assembled as ARM code.  Debian's armhf compiler emits Thumb-2 by
 * default: the linker turns Thumb callers' `bl` into `blx` because these
 * symbols are typed %function, `bx lr` returns in the caller's state, and
 * the child calls fn with `blx`, which honours the Thumb bit of fn's
 * address.
 */
#include "arm.h"

	.syntax	unified
	.arm
	.text

/*
 * long _initgate_syscall(long number, long a1, long a2, long a3,
 *                        long a4, long a5, long a6);
 *
 *	r0 number -> r7		[sp] a4 -> r3
 *	r1 a1 -> r0		[sp, #4] a5 -> r4
 *	r2 a2 -> r1		[sp, #8] a6 -> r5
 *	r3 a3 -> r2		result in r0
 *
 * r4, r5 and r7 belong to the caller: saved, which moves the stacked
 * arguments 12 bytes up.
 */
	.globl	_initgate_syscall
	.hidden	_initgate_syscall
	.type	_initgate_syscall, %function
	.p2align 2
_initgate_syscall:
	push	{r4, r5, r7}
	mov	r7, r0
	mov	r0, r1
	mov	r1, r2
	mov	r2, r3
	ldr	r3, [sp, #12]
	ldr	r4, [sp, #16]
	ldr	r5, [sp, #20]
	svc	#0
	pop	{r4, r5, r7}
	bx	lr
	.size	_initgate_syscall, . - _initgate_syscall

/*
 * long _initgate_clone0(unsigned long flags, void *stack_top,
 *                       void (*fn)(void *), void *arg);
 *
 *	r0 flags		clone: r0 flags, r1 stack, r2 ptid,
 *	r1 stack_top		  r3 tls, r4 ctid
 *	r2 fn			r5 fn, r6 arg: survive svc in both threads
 *	r3 arg			result in r0: the child's tid or -errno
 */
	.globl	_initgate_clone0
	.hidden	_initgate_clone0
	.type	_initgate_clone0, %function
	.p2align 2
_initgate_clone0:
	push	{r4, r5, r6, r7}
	mov	r5, r2
	mov	r6, r3
	bic	r1, r1, #7		/* AAPCS: sp 8-byte aligned at calls */
	mov	r2, #0
	mov	r3, #0
	mov	r4, #0
	mov	r7, #INITGATE_SYS_clone
	svc	#0
	cmp	r0, #0
	beq	1f
	pop	{r4, r5, r6, r7}
	bx	lr			/* parent: tid or -errno */

1:	/* Child, on the new stack: end the frame chain for unwinders. */
	mov	fp, #0
	mov	lr, #0
	mov	r0, r6
	blx	r5
	mov	r0, #0
	mov	r7, #INITGATE_SYS_exit
	svc	#0
	udf	#0			/* exit returned: trap */
	.size	_initgate_clone0, . - _initgate_clone0

	.section .note.GNU-stack, "", %progbits
