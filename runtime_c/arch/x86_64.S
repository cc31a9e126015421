/*
 * x86_64 glue for the no-libc runtime: a raw system call, and clone0.
 * The System V calling convention passes arguments in rdi, rsi, rdx, rcx,
 * r8, r9, then on the stack; the kernel takes the number in rax and
 * arguments in rdi, rsi, rdx, r10, r8, r9, and clobbers rcx and r11.
 */
#include "x86_64.h"

	.text

/*
 * long _initgate_syscall(long number, long a1, long a2, long a3,
 *                        long a4, long a5, long a6);
 *
 *   number  rdi -> rax
 *   a1      rsi -> rdi
 *   a2      rdx -> rsi
 *   a3      rcx -> rdx
 *   a4      r8  -> r10
 *   a5      r9  -> r8
 *   a6      8(%rsp) -> r9
 *   result  rax (-errno on failure)
 */
	.globl	_initgate_syscall
	.hidden	_initgate_syscall
	.type	_initgate_syscall, @function
_initgate_syscall:
	movq	%rdi, %rax
	movq	%rsi, %rdi
	movq	%rdx, %rsi
	movq	%rcx, %rdx
	movq	%r8, %r10
	movq	%r9, %r8
	movq	8(%rsp), %r9
	syscall
	ret
	.size	_initgate_syscall, .-_initgate_syscall

/*
 * long _initgate_clone0(unsigned long flags, void *stack_top,
 *                       void (*fn)(void *), void *arg);
 *
 *   flags      rdi (clone's flags, stays in rdi)
 *   stack_top  rsi (clone's new stack, lowered by 16 to hold fn and arg)
 *   fn         rdx -> 0(new stack)
 *   arg        rcx -> 8(new stack)
 *   parent_tid rdx = 0, child_tid r10 = 0, tls r8 = 0 (none of them used)
 *   result     rax: the child's tid in the parent, or -errno
 *
 * The child wakes on the new stack with rax = 0, pops fn and arg from it,
 * and calls fn(arg) with rsp 16-byte aligned at the call as the ABI wants
 * (stack_top must be 16-byte aligned).  It then exits its thread and
 * never returns into the parent's frame: if exit ever came back, hlt
 * faults in user mode.
 */
	.globl	_initgate_clone0
	.hidden	_initgate_clone0
	.type	_initgate_clone0, @function
_initgate_clone0:
	subq	$16, %rsi
	movq	%rdx, 0(%rsi)
	movq	%rcx, 8(%rsi)
	movl	$INITGATE_SYS_clone, %eax
	xorl	%edx, %edx
	xorl	%r10d, %r10d
	xorl	%r8d, %r8d
	syscall
	testq	%rax, %rax
	jnz	1f

	/* The child: no caller frame to unwind into. */
	xorl	%ebp, %ebp
	popq	%rax
	popq	%rdi
	callq	*%rax
	movl	$INITGATE_SYS_exit, %eax
	xorl	%edi, %edi
	syscall
	hlt
1:
	ret
	.size	_initgate_clone0, .-_initgate_clone0

	.section .note.GNU-stack,"",@progbits
