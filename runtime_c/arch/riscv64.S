/*
 * riscv64 system call glue for the no-libc runtime (see ABI.md,
 * "Per-architecture glue").  The kernel takes the number in a7 and the
 * arguments in a0-a5, traps on `ecall`, returns in a0 (-errno on failure)
 * and preserves every other register, in the child of clone too.
 */
#include "riscv64.h"

	.text

/*
 * long _initgate_syscall(long number, long a1, long a2, long a3,
 *                        long a4, long a5, long a6);
 *
 *	a0 number -> a7		a4 a4 -> a3
 *	a1 a1 -> a0		a5 a5 -> a4
 *	a2 a2 -> a1		a6 a6 -> a5
 *	a3 a3 -> a2		result in a0
 */
	.globl	_initgate_syscall
	.hidden	_initgate_syscall
	.type	_initgate_syscall, @function
	.p2align 2
_initgate_syscall:
	mv	a7, a0
	mv	a0, a1
	mv	a1, a2
	mv	a2, a3
	mv	a3, a4
	mv	a4, a5
	mv	a5, a6
	ecall
	ret
	.size	_initgate_syscall, . - _initgate_syscall

/*
 * long _initgate_clone0(unsigned long flags, void *stack_top,
 *                       void (*fn)(void *), void *arg);
 *
 *	a0 flags		clone: a0 flags, a1 stack, a2 ptid,
 *	a1 stack_top		  a3 tls, a4 ctid
 *	a2 fn			t0 fn, t1 arg: survive ecall in both threads
 *	a3 arg			result in a0: the child's tid or -errno
 */
	.globl	_initgate_clone0
	.hidden	_initgate_clone0
	.type	_initgate_clone0, @function
	.p2align 2
_initgate_clone0:
	mv	t0, a2
	mv	t1, a3
	andi	a1, a1, -16		/* sp must be 16-byte aligned */
	li	a2, 0
	li	a3, 0
	li	a4, 0
	li	a7, INITGATE_SYS_clone
	ecall
	beqz	a0, 1f
	ret				/* parent: tid or -errno */

1:	/* Child, on the new stack: end the frame chain for unwinders. */
	li	ra, 0
	li	s0, 0
	mv	a0, t1
	jalr	t0
	li	a0, 0
	li	a7, INITGATE_SYS_exit
	ecall
	ebreak				/* exit returned: trap */
	.size	_initgate_clone0, . - _initgate_clone0

	.section .note.GNU-stack, "", @progbits
