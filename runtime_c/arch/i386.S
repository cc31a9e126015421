/*
 * i386 system call glue for the no-libc runtime (see ABI.md,
 * "Per-architecture glue").  `int $0x80` takes the number in eax and up to
 * six arguments in ebx, ecx, edx, esi, edi, ebp; it returns in eax (-errno
 * on failure) and preserves every other register, in the child of clone
 * too.  Arguments arrive on the stack (cdecl); ebx, esi, edi and ebp belong
 * to the caller and are restored before returning.
 */
#include "i386.h"

	.text

/*
 * long _initgate_syscall(long number, long a1, long a2, long a3,
 *                        long a4, long a5, long a6);
 *
 * After the four pushes, the arguments sit at:
 *	20(%esp) number -> eax	36(%esp) a4 -> esi
 *	24(%esp) a1 -> ebx	40(%esp) a5 -> edi
 *	28(%esp) a2 -> ecx	44(%esp) a6 -> ebp
 *	32(%esp) a3 -> edx	result in eax
 */
	.globl	_initgate_syscall
	.hidden	_initgate_syscall
	.type	_initgate_syscall, @function
	.p2align 4
_initgate_syscall:
	pushl	%ebp
	pushl	%edi
	pushl	%esi
	pushl	%ebx
	movl	20(%esp), %eax
	movl	24(%esp), %ebx
	movl	28(%esp), %ecx
	movl	32(%esp), %edx
	movl	36(%esp), %esi
	movl	40(%esp), %edi
	movl	44(%esp), %ebp
	int	$0x80
	popl	%ebx
	popl	%esi
	popl	%edi
	popl	%ebp
	ret
	.size	_initgate_syscall, . - _initgate_syscall

/*
 * long _initgate_clone0(unsigned long flags, void *stack_top,
 *                       void (*fn)(void *), void *arg);
 *
 * After the three pushes, the arguments sit at:
 *	16(%esp) flags -> ebx	clone(ebx flags, ecx stack, edx ptid,
 *	20(%esp) stack_top		esi tls, edi ctid)
 *	24(%esp) fn		result in eax: the child's tid or -errno
 *	28(%esp) arg
 *
 * Every argument register goes to clone, so fn and arg travel on the new
 * stack: the child starts with arg at 0(%esp), ready as fn's argument, fn
 * at 4(%esp), and esp 16-byte aligned as the call requires.
 */
	.globl	_initgate_clone0
	.hidden	_initgate_clone0
	.type	_initgate_clone0, @function
	.p2align 4
_initgate_clone0:
	pushl	%edi
	pushl	%esi
	pushl	%ebx
	movl	20(%esp), %ecx
	andl	$-16, %ecx
	subl	$16, %ecx
	movl	28(%esp), %eax
	movl	%eax, 0(%ecx)		/* arg */
	movl	24(%esp), %eax
	movl	%eax, 4(%ecx)		/* fn */
	movl	16(%esp), %ebx
	xorl	%edx, %edx
	xorl	%esi, %esi
	xorl	%edi, %edi
	movl	$INITGATE_SYS_clone, %eax
	int	$0x80
	testl	%eax, %eax
	jz	1f
	popl	%ebx
	popl	%esi
	popl	%edi
	ret				/* parent: tid or -errno */

1:	/* Child, on the new stack: end the frame chain for unwinders. */
	xorl	%ebp, %ebp
	call	*4(%esp)
	movl	$INITGATE_SYS_exit, %eax
	xorl	%ebx, %ebx
	int	$0x80
	ud2				/* exit returned: trap */
	.size	_initgate_clone0, . - _initgate_clone0

	.section .note.GNU-stack, "", @progbits
