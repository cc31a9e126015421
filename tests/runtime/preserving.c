/*
 * The x86_64 slow-path entry (runtime_c/arch/x86_64-gate.S) keeps every
 * register: tests/test_gate_preserving.py rewrites this file with
 * --init preserving_init and links it, as a program, with the runtime, so
 * the first gated call runs init right there, inside the entry.
 *
 *   preserving regs 0|1  set every general register and the vector state
 *                        to a pattern, enter the slow path as gate.h does
 *                        (the stack misaligned by 8 with 1), and compare;
 *                        init meanwhile clobbers all it may.  Prints
 *                        "preserved LEVEL" (0 SSE, 1 AVX, 2 AVX-512)
 *   preserving trace     the first call is a gated C function; init takes
 *                        a backtrace, which must go on through that
 *                        function to main.  Prints "traced"
 *
 * Anything else it finds prints a line starting "wrong" and exits 1.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct regs {
	unsigned long long gpr[15];	/* rax rbx rcx rdx rsi rdi rbp r8-r15 */
	unsigned long long sp;
	unsigned char vec[32][64];	/* xmm/ymm/zmm 0-31 */
	unsigned long long k[8];
};

void run_gate(const struct regs *in, struct regs *out, int level, int misalign);
int preserving_init(void);
double preserving_gated(int a, int b, int c, int d, int e, int f, int g,
			double x, double y) __attribute__((noinline));

static int level, tracing, traced;
static const char gate_name[] = "run_gate";
const char *harness_name = gate_name;
unsigned long long harness_out, harness_level, harness_sp, harness_frame;

static const char *const GPR_NAMES[15] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11",
	"r12", "r13", "r14", "r15",
};

/* Every register the slow path could change, given values init cannot mean. */
static void clobber_general(void)
{
	__asm__ __volatile__(
		"mov $-1, %%rax\n\tmov $-1, %%rcx\n\tmov $-1, %%rdx\n\t"
		"mov $-1, %%rsi\n\tmov $-1, %%rdi\n\tmov $-1, %%r8\n\t"
		"mov $-1, %%r9\n\tmov $-1, %%r10\n\tmov $-1, %%r11"
		: : : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11");
}

#define XMM_0_15 "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", \
	"xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

static void clobber_sse(void)
{
	__asm__ __volatile__(
#define ONES(n) "pcmpeqd %%xmm" #n ", %%xmm" #n "\n\t"
		ONES(0) ONES(1) ONES(2) ONES(3) ONES(4) ONES(5) ONES(6) ONES(7)
		ONES(8) ONES(9) ONES(10) ONES(11) ONES(12) ONES(13) ONES(14) ONES(15)
#undef ONES
		: : : XMM_0_15);
}

__attribute__((target("avx")))
static void clobber_avx(void)
{
	__asm__ __volatile__(
#define ONES(n) "vpcmpeqd %%ymm" #n ", %%ymm" #n ", %%ymm" #n "\n\t"
		ONES(0) ONES(1) ONES(2) ONES(3) ONES(4) ONES(5) ONES(6) ONES(7)
		ONES(8) ONES(9) ONES(10) ONES(11) ONES(12) ONES(13) ONES(14) ONES(15)
#undef ONES
		: : : XMM_0_15);
}

__attribute__((target("avx512f")))
static void clobber_avx512(void)
{
	__asm__ __volatile__(
#define ONES(n) "vpternlogd $0xff, %%zmm" #n ", %%zmm" #n ", %%zmm" #n "\n\t"
		ONES(0) ONES(1) ONES(2) ONES(3) ONES(4) ONES(5) ONES(6) ONES(7)
		ONES(8) ONES(9) ONES(10) ONES(11) ONES(12) ONES(13) ONES(14) ONES(15)
		ONES(16) ONES(17) ONES(18) ONES(19) ONES(20) ONES(21) ONES(22) ONES(23)
		ONES(24) ONES(25) ONES(26) ONES(27) ONES(28) ONES(29) ONES(30) ONES(31)
#undef ONES
		"kxnorw %%k0, %%k0, %%k1\n\tkxnorw %%k0, %%k0, %%k2\n\t"
		"kxnorw %%k0, %%k0, %%k3\n\tkxnorw %%k0, %%k0, %%k4\n\t"
		"kxnorw %%k0, %%k0, %%k5\n\tkxnorw %%k0, %%k0, %%k6\n\t"
		"kxnorw %%k0, %%k0, %%k7"
		: : : XMM_0_15,
		"xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23",
		"xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31",
		"k1", "k2", "k3", "k4", "k5", "k6", "k7");
}

/* The names of the backtrace's frames, in order, must hold these two. */
static int backtrace_reaches_main(void)
{
	void *frames[32];
	int n = backtrace(frames, 32), i, gated = 0;
	Dl_info info;

	for (i = 0; i < n; i++) {
		if (!dladdr(frames[i], &info) || !info.dli_sname)
			continue;
		if (!strcmp(info.dli_sname, "preserving_gated"))
			gated = 1;
		if (gated && !strcmp(info.dli_sname, "main"))
			return 1;
	}
	return 0;
}

int preserving_init(void)
{
	char scratch[4096];

	if (tracing) {
		traced = backtrace_reaches_main();
		return 0;
	}
	/* Work that compilers and libc do with vector registers. */
	memset(scratch, 0x5a, sizeof scratch);
	snprintf(scratch, sizeof scratch, "%f", 1.0 / 3.0);
	clobber_sse();
	if (level >= 1)
		clobber_avx();
	if (level >= 2)
		clobber_avx512();
	clobber_general();
	return 0;
}

double preserving_gated(int a, int b, int c, int d, int e, int f, int g,
			double x, double y)
{
	return a + b + c + d + e + f + g + x * y;
}

static int vector_bytes(void)
{
	return level == 2 ? 64 : level == 1 ? 32 : 16;
}

static int compare(const struct regs *in, const struct regs *out)
{
	int i, wrong = 0, vectors = level == 2 ? 32 : 16;

	for (i = 0; i < 15; i++)
		if (in->gpr[i] != out->gpr[i]) {
			printf("wrong %s: %#llx, was %#llx\n", GPR_NAMES[i], out->gpr[i],
			       in->gpr[i]);
			wrong = 1;
		}
	if (out->sp != harness_sp) {
		printf("wrong rsp: %#llx, was %#llx\n", out->sp, harness_sp);
		wrong = 1;
	}
	for (i = 0; i < vectors; i++)
		if (memcmp(in->vec[i], out->vec[i], vector_bytes())) {
			printf("wrong vector register %d\n", i);
			wrong = 1;
		}
	for (i = 1; level == 2 && i < 8; i++)
		if (in->k[i] != out->k[i]) {
			printf("wrong k%d: %#llx, was %#llx\n", i, out->k[i], in->k[i]);
			wrong = 1;
		}
	return wrong;
}

int main(int argc, char **argv)
{
	static struct regs in, out;
	int i, j;

	if (argc == 2 && !strcmp(argv[1], "trace")) {
		tracing = 1;
		if (preserving_gated(1, 2, 3, 4, 5, 6, 7, 1.5, 2.0) != 31.0) {
			printf("wrong result: the arguments did not survive the gate\n");
			return 1;
		}
		if (!traced) {
			printf("wrong backtrace: it stops before the gated function or main\n");
			return 1;
		}
		printf("traced\n");
		return 0;
	}
	if (argc != 3 || strcmp(argv[1], "regs")) {
		fprintf(stderr, "usage: preserving regs 0|1 | preserving trace\n");
		return 2;
	}
	level = __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx") ? 1 : 0;
	for (i = 0; i < 15; i++)
		in.gpr[i] = 0x0101010101010101ULL * (i + 1);
	for (i = 0; i < 32; i++)
		for (j = 0; j < 64; j++)
			in.vec[i][j] = (unsigned char)(i * 7 + j + 1);
	for (i = 0; i < 8; i++)
		in.k[i] = 0x1111111111111111ULL * i;
	run_gate(&in, &out, level, atoi(argv[2]));
	if (compare(&in, &out))
		return 1;
	printf("preserved %d\n", level);
	return 0;
}

/*
 * run_gate(in, out, level, misalign): load `in`, enter the slow path the
 * way gate.h does, store what the registers hold into `out`.  The callee-
 * saved registers are kept in the frame below harness_frame, and rsp in
 * harness_sp, since every register carries a pattern across the call.
 */
#define LOAD_XMM(n) "movdqu 128+" #n "*64(%rdi), %xmm" #n "\n\t"
#define LOAD_YMM(n) "vmovdqu 128+" #n "*64(%rdi), %ymm" #n "\n\t"
#define LOAD_ZMM(n) "vmovdqu64 128+" #n "*64(%rdi), %zmm" #n "\n\t"
#define STORE_XMM(n) "movdqu %xmm" #n ", 128+" #n "*64(%rdi)\n\t"
#define STORE_YMM(n) "vmovdqu %ymm" #n ", 128+" #n "*64(%rdi)\n\t"
#define STORE_ZMM(n) "vmovdqu64 %zmm" #n ", 128+" #n "*64(%rdi)\n\t"
#define SIXTEEN(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) \
	M(8) M(9) M(10) M(11) M(12) M(13) M(14) M(15)
#define UPPER16(M) M(16) M(17) M(18) M(19) M(20) M(21) M(22) M(23) \
	M(24) M(25) M(26) M(27) M(28) M(29) M(30) M(31)
#define KLOAD(n) "kmovq 2176+" #n "*8(%rdi), %k" #n "\n\t"
#define KSTORE(n) "kmovq %k" #n ", 2176+" #n "*8(%rdi)\n\t"
#define SEVEN_K(M) M(1) M(2) M(3) M(4) M(5) M(6) M(7)

__asm__(
	".text\n"
	".globl run_gate\n"
	".type run_gate, @function\n"
	"run_gate:\n\t"
	"push %rbp\n\tpush %rbx\n\tpush %r12\n\tpush %r13\n\tpush %r14\n\tpush %r15\n\t"
	"mov %rsp, harness_frame(%rip)\n\t"
	"mov %rsi, harness_out(%rip)\n\t"
	"mov %rdx, harness_level(%rip)\n\t"
	"test %ecx, %ecx\n\tjz 1f\n\tsub $8, %rsp\n"
	"1:\n\t"
	"cmpq $2, harness_level(%rip)\n\tjne 2f\n\t"
	SIXTEEN(LOAD_ZMM) UPPER16(LOAD_ZMM) SEVEN_K(KLOAD)
	"jmp 4f\n"
	"2:\n\t"
	"cmpq $1, harness_level(%rip)\n\tjne 3f\n\t"
	SIXTEEN(LOAD_YMM)
	"jmp 4f\n"
	"3:\n\t"
	SIXTEEN(LOAD_XMM)
	"4:\n\t"
	"mov %rsp, harness_sp(%rip)\n\t"
	"mov 0(%rdi), %rax\n\tmov 8(%rdi), %rbx\n\tmov 16(%rdi), %rcx\n\t"
	"mov 24(%rdi), %rdx\n\tmov 32(%rdi), %rsi\n\tmov 48(%rdi), %rbp\n\t"
	"mov 56(%rdi), %r8\n\tmov 64(%rdi), %r9\n\tmov 72(%rdi), %r10\n\t"
	"mov 80(%rdi), %r11\n\tmov 88(%rdi), %r12\n\tmov 96(%rdi), %r13\n\t"
	"mov 104(%rdi), %r14\n\tmov 112(%rdi), %r15\n\tmov 40(%rdi), %rdi\n\t"
	/* The gate's slow path, as gate.h's INITGATE_SLOW_PATH enters it. */
	"lea -128(%rsp), %rsp\n\t"
	"pushq harness_name(%rip)\n\t"
	"call _initgate_wait_preserving\n\t"
	"lea 136(%rsp), %rsp\n\t"
	"push %rdi\n\t"
	"mov harness_out(%rip), %rdi\n\t"
	"mov %rax, 0(%rdi)\n\tmov %rbx, 8(%rdi)\n\tmov %rcx, 16(%rdi)\n\t"
	"mov %rdx, 24(%rdi)\n\tmov %rsi, 32(%rdi)\n\tmov %rbp, 48(%rdi)\n\t"
	"mov %r8, 56(%rdi)\n\tmov %r9, 64(%rdi)\n\tmov %r10, 72(%rdi)\n\t"
	"mov %r11, 80(%rdi)\n\tmov %r12, 88(%rdi)\n\tmov %r13, 96(%rdi)\n\t"
	"mov %r14, 104(%rdi)\n\tmov %r15, 112(%rdi)\n\t"
	"pop %rax\n\tmov %rax, 40(%rdi)\n\t"
	"mov %rsp, 120(%rdi)\n\t"
	"cmpq $2, harness_level(%rip)\n\tjne 5f\n\t"
	SIXTEEN(STORE_ZMM) UPPER16(STORE_ZMM) SEVEN_K(KSTORE)
	"vzeroupper\n\t"
	"jmp 7f\n"
	"5:\n\t"
	"cmpq $1, harness_level(%rip)\n\tjne 6f\n\t"
	SIXTEEN(STORE_YMM)
	"vzeroupper\n\t"
	"jmp 7f\n"
	"6:\n\t"
	SIXTEEN(STORE_XMM)
	"7:\n\t"
	"mov harness_frame(%rip), %rsp\n\t"
	"pop %r15\n\tpop %r14\n\tpop %r13\n\tpop %r12\n\tpop %rbx\n\tpop %rbp\n\t"
	"ret\n"
	".size run_gate, .-run_gate\n");
