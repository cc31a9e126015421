#line 1 "lib.c"
/* GNU89 inline: `inline` emits a symbol, `extern inline` never does. */
int lib_init(void) { return 0; }

inline int lib_inline(int x) {_cgo_wait_runtime_init_done(); return x + 1; }

extern inline int lib_extern_inline(int x) { return x + 2; }

static inline int lib_static_inline(int x) { return x + 3; }

int lib_use(int x)
{_cgo_wait_runtime_init_done(); return lib_extern_inline(x) + lib_static_inline(x); }

int lib_extern_inline(int x);
static int _initgate_init(void) __attribute__((alias("lib_init")));
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return _initgate_init(); }
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 2\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_init\"\n1: .balign 4\n.popsection\n");
