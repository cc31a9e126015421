/*
 * frames: exported functions whose stack frames are larger than a page, for
 * verify's compiler matrix (tests/test_verify_compilers.py), which rewrites
 * this file with `initgate rewrite --init frames_init` and builds it with
 * -fstack-clash-protection wherever the compiler implements it: each frame
 * is then probed before the gate, a page at a time, in a loop or unrolled.
 * It includes nothing, so any target's compiler builds it without a C library.
 */

static int ready;

int frames_init(void)
{
	ready = 1;
	return 0;
}

/* Writes every 512th byte, so the frame must exist whole. */
static void fill(char *buf, unsigned long size, int value)
{
	for (unsigned long i = 0; i < size; i += 512)
		buf[i] = (char)(value + i);
	__asm__ volatile("" : : "r"(buf) : "memory");
}

/* Five pages: compilers probe these without a loop. */
int frames_5k(int n)
{
	char buf[5 * 1024];

	fill(buf, sizeof buf, n);
	return buf[n & 1023] + ready;
}

int frames_64k(int n, const char *s)
{
	char buf[64 * 1024];

	fill(buf, sizeof buf, n);
	return buf[n & 0xffff] + (s ? s[0] : 0);
}

int frames_1m(int n)
{
	char buf[1024 * 1024];

	fill(buf, sizeof buf, n);
	return buf[n & 0xfffff] + ready;
}

/* Aligned beyond what the ABI aligns the stack to: the function first rounds
 * its stack pointer down (`and $-64, %rsp`), by as much as where the stack is. */
int frames_aligned(int n)
{
	_Alignas(64) char buf[64 * 1024];

	fill(buf, sizeof buf, n);
	return buf[n & 0xffff] + ready;
}

/* Variadic: on x86_64 the saving of the vector registers is skipped when
 * %al says none were passed, a branch on the caller's state before the gate. */
int frames_variadic(int count, ...)
{
	char buf[64 * 1024];
	__builtin_va_list ap;
	int sum = 0;

	__builtin_va_start(ap, count);
	while (count-- > 0)
		sum += __builtin_va_arg(ap, int);
	__builtin_va_end(ap);
	fill(buf, sizeof buf, sum);
	return buf[sum & 0xffff];
}
