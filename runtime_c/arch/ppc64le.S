/*
 * ppc64le (ELFv2) system call glue for the no-libc runtime (see ABI.md,
 * "Per-architecture glue").  The kernel takes the number in r0 and the
 * arguments in r3-r8, traps on `sc`, and returns in r3; on failure it sets
 * cr0.SO and leaves a positive errno in r3, which we negate.  r0, r4-r12,
 * ctr and cr0 are clobbered; r14-r31 survive, in the child of clone too.
 */
#include "ppc64le.h"

	.abiversion 2
	.text

/*
 * long _initgate_syscall(long number, long a1, long a2, long a3,
 *                        long a4, long a5, long a6);
 *
 *	r3 number -> r0		r7 a4 -> r6
 *	r4 a1 -> r3		r8 a5 -> r7
 *	r5 a2 -> r4		r9 a6 -> r8
 *	r6 a3 -> r5		result in r3
 *
 * Neither routine uses the TOC, so each has a single entry point and
 * leaves r2 alone.
 */
	.globl	_initgate_syscall
	.hidden	_initgate_syscall
	.type	_initgate_syscall, @function
	.p2align 4
_initgate_syscall:
	mr	0, 3
	mr	3, 4
	mr	4, 5
	mr	5, 6
	mr	6, 7
	mr	7, 8
	mr	8, 9
	sc
	bnslr+				/* cr0.SO clear: r3 is the result */
	neg	3, 3
	blr
	.size	_initgate_syscall, . - _initgate_syscall

/*
 * long _initgate_clone0(unsigned long flags, void *stack_top,
 *                       void (*fn)(void *), void *arg);
 *
 *	r3 flags		clone: r3 flags, r4 stack, r5 ptid,
 *				  r6 tls, r7 ctid
 *	r4 stack_top		r30 fn, r31 arg: non-volatile, so they survive
 *	r5 fn			  sc in both threads; the parent's copies are
 *	r6 arg			  kept in the 288-byte protected zone below r1
 *				result in r3: the child's tid or -errno
 *
 * The child's first frame is the ELFv2 minimum, 32 bytes with a null back
 * chain, where fn saves its link register.  fn is entered at its global
 * entry point with its own address in r12, from which it derives its TOC.
 */
	.globl	_initgate_clone0
	.hidden	_initgate_clone0
	.type	_initgate_clone0, @function
	.p2align 4
_initgate_clone0:
	std	30, -16(1)
	std	31, -8(1)
	mr	30, 5
	mr	31, 6
	clrrdi	4, 4, 4			/* the stack is 16-byte aligned */
	li	0, 0
	stdu	0, -32(4)		/* null back chain; r4 = child's r1 */
	li	5, 0
	li	6, 0
	li	7, 0
	li	0, INITGATE_SYS_clone
	sc
	bso-	2f
	cmpdi	3, 0
	beq-	1f
	ld	30, -16(1)
	ld	31, -8(1)
	blr				/* parent: the child's tid */

2:	neg	3, 3
	ld	30, -16(1)
	ld	31, -8(1)
	blr				/* parent: -errno */

1:	/* Child, on the new stack, with the null back chain above. */
	mr	12, 30
	mtctr	12
	mr	3, 31
	bctrl
	li	3, 0
	li	0, INITGATE_SYS_exit
	sc
	trap				/* exit returned: trap */
	.size	_initgate_clone0, . - _initgate_clone0

	.section .note.GNU-stack, "", @progbits
