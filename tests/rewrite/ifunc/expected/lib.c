#line 1 "lib.c"
/* An ifunc's symbol is its resolver, which the loader runs while it
 * relocates the library, before init: the resolver is never gated, and the
 * functions it may return are, static or not.  A function it only calls
 * (the CPU check) is not one of them. */
int lib_init(void) { return 0; }

static int sum_generic(const int *v, int n)
{_cgo_wait_runtime_init_done();
	int s = 0;
	for (int i = 0; i < n; i++)
		s += v[i];
	return s;
}

static int sum_unrolled(const int *v, int n)
{_cgo_wait_runtime_init_done();
	int s = 0, i = 0;
	for (; i + 1 < n; i += 2)
		s += v[i] + v[i + 1];
	return i < n ? s + v[i] : s;
}

static int have_fast_cpu(void) { return __builtin_cpu_supports("avx2"); }

static int (*resolve_sum(void))(const int *, int)
{
	__builtin_cpu_init();
	return have_fast_cpu() ? sum_unrolled : &sum_generic;
}

int lib_sum(const int *v, int n) __attribute__((ifunc("resolve_sum")));

/* An exported resolver is exported, and still never gated. */
int lib_mul(int a, int b) {_cgo_wait_runtime_init_done(); return a * b; }
int (*lib_resolve_mul(void))(int, int) { return lib_mul; }
int lib_mul_fast(int, int) __attribute__((ifunc("lib_resolve_mul")));
static int _initgate_init(void) __attribute__((alias("lib_init")));
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return _initgate_init(); }
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 2\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_init\"\n1: .balign 4\n.popsection\n");
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 3\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_mul_fast\"\n"
	".asciz \"lib_mul\"\n1: .balign 4\n.popsection\n");
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 3\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_sum\"\n"
	".asciz \"sum_unrolled\"\n"
	".asciz \"sum_generic\"\n1: .balign 4\n.popsection\n");
