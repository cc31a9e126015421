/*
 * x86_64: the way into the gate's slow path that preserves every register.
 *
 * gate.h enters here from inline assembly, so the compiler of the gated
 * function believes nothing but the flags changes: every general register
 * and the x87, SSE, AVX and AVX-512 state must be as they were when this
 * returns.  Built into both flavours of the runtime, when the compiler
 * targets x86_64 with 64-bit pointers, as gate.h tests.
 *
 * At the entry the gate has stepped over the function's 128-byte red zone
 * and pushed the function's name, and the stack has whatever alignment the
 * function's code had there (a multiple of 8):
 *
 *      0(%rsp)   return address, into the gated function
 *      8(%rsp)   const char *name, for _initgate_wait
 *     16(%rsp)   the red zone
 *    144(%rsp)   the gated function's stack pointer
 *
 * which the CFI says, so that a debugger's backtrace from a waiting caller,
 * or an exception a failure handler throws, goes on through the gated
 * function as if it had called _initgate_wait itself.
 *
 * The vector state goes through xsave, in the layout this CPU gives it, for
 * the components a compiler keeps values in (SAVED_COMPONENTS); AMX tiles
 * are left out, since no function holds one at its entry, where the gate
 * is.  Machines whose kernel has not enabled xsave get fxsave (x87 and SSE,
 * all such a machine has).  The area's size is found once, with cpuid, and
 * kept in _initgate_xsave_bytes: every caller finds the same value, so
 * callers racing to store it are harmless.
 */
#if defined(__x86_64__) && defined(__LP64__)

/* x87, SSE, AVX, AVX-512's opmask, ZMM_Hi256 and Hi16_ZMM, and APX's r16-r31. */
#define SAVED_COMPONENTS 0x800e7
#define HIGHEST_COMPONENT 19
#define XSAVE_HEADER 512	/* the header: 64 bytes, zero before xsave */
#define FXSAVE_BYTES 512

	.text

	.globl	_initgate_wait_preserving
	.hidden	_initgate_wait_preserving
	.type	_initgate_wait_preserving, @function
_initgate_wait_preserving:
	.cfi_startproc
	.cfi_def_cfa %rsp, 144
	.cfi_offset %rip, -144
	pushq	%rbp
	.cfi_def_cfa_offset 152
	.cfi_offset %rbp, -152
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp

	/* What _initgate_wait may change: the rest of the general registers
	 * are callee-saved in the psABI. */
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11

	movl	_initgate_xsave_bytes(%rip), %eax
	testl	%eax, %eax
	jnz	1f
	call	_initgate_xsave_probe
1:
	subq	%rax, %rsp
	andq	$-64, %rsp
	cmpl	$FXSAVE_BYTES, %eax
	je	2f

	xorl	%ecx, %ecx
	movq	%rcx, XSAVE_HEADER(%rsp)
	movq	%rcx, XSAVE_HEADER + 8(%rsp)
	movq	%rcx, XSAVE_HEADER + 16(%rsp)
	movq	%rcx, XSAVE_HEADER + 24(%rsp)
	movq	%rcx, XSAVE_HEADER + 32(%rsp)
	movq	%rcx, XSAVE_HEADER + 40(%rsp)
	movq	%rcx, XSAVE_HEADER + 48(%rsp)
	movq	%rcx, XSAVE_HEADER + 56(%rsp)
	movl	$SAVED_COMPONENTS, %eax
	xorl	%edx, %edx
	xsave	(%rsp)
	movq	16(%rbp), %rdi
	call	_initgate_wait
	movl	$SAVED_COMPONENTS, %eax
	xorl	%edx, %edx
	xrstor	(%rsp)
	jmp	3f
2:
	fxsave	(%rsp)
	movq	16(%rbp), %rdi
	call	_initgate_wait
	fxrstor	(%rsp)
3:
	leaq	-72(%rbp), %rsp
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	popq	%rbp
	.cfi_def_cfa %rsp, 144
	.cfi_restore %rbp
	ret
	.cfi_endproc
	.size	_initgate_wait_preserving, .-_initgate_wait_preserving

/*
 * eax = the bytes of the save area, also stored in _initgate_xsave_bytes:
 * the end of the highest SAVED_COMPONENTS component this machine has
 * enabled (cpuid leaf 0xd, one subleaf per component, in the standard
 * layout), or FXSAVE_BYTES without xsave.  Changes rcx, rdx, rsi, rdi and
 * the flags, which its one caller has saved already; keeps rbx, which
 * cpuid writes.
 */
	.type	_initgate_xsave_probe, @function
_initgate_xsave_probe:
	.cfi_startproc
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbx, 0

	movl	$FXSAVE_BYTES, %esi	/* the answer so far */
	movl	$1, %eax
	cpuid
	btl	$27, %ecx		/* OSXSAVE: the kernel enabled xsave */
	jnc	9f

	xorl	%ecx, %ecx
	xgetbv				/* edx:eax = XCR0, the enabled components */
	andl	$SAVED_COMPONENTS, %eax
	movl	%eax, %edi
	movl	$XSAVE_HEADER + 64, %esi	/* legacy area and header: x87, SSE */
	movl	$2, %ecx
4:
	btl	%ecx, %edi
	jnc	5f
	pushq	%rcx
	.cfi_adjust_cfa_offset 8
	movl	$0xd, %eax
	cpuid				/* eax = its size, ebx = its offset */
	popq	%rcx
	.cfi_adjust_cfa_offset -8
	addl	%ebx, %eax
	cmpl	%eax, %esi
	jae	5f
	movl	%eax, %esi
5:
	incl	%ecx
	cmpl	$HIGHEST_COMPONENT, %ecx
	jbe	4b
9:
	movl	%esi, %eax
	movl	%eax, _initgate_xsave_bytes(%rip)
	popq	%rbx
	.cfi_adjust_cfa_offset -8
	.cfi_restore %rbx
	ret
	.cfi_endproc
	.size	_initgate_xsave_probe, .-_initgate_xsave_probe

	.bss
	.balign	4
	.type	_initgate_xsave_bytes, @object
_initgate_xsave_bytes:
	.zero	4
	.size	_initgate_xsave_bytes, 4

#endif

	.section .note.GNU-stack, "", @progbits
