#line 1 "lib.c"
/* C99 inline: an inline definition emits a symbol only if some file-scope
 * declaration says extern or lacks inline. */
int lib_init(void) { return 0; }

inline int lib_inline_only(int x) { return x + 1; }

extern inline int lib_extern_inline(int x) {_cgo_wait_runtime_init_done(); return x + 2; }

int lib_declared_plain(int x);
inline int lib_declared_plain(int x) {_cgo_wait_runtime_init_done(); return x + 3; }

inline int lib_declared_after(int x) {_cgo_wait_runtime_init_done(); return x + 4; }
extern int lib_declared_after(int x);

static inline int lib_static_inline(int x) { return x + 5; }

__attribute__((gnu_inline)) inline int lib_gnu_inline(int x)
{_cgo_wait_runtime_init_done(); return x + 6; }

__attribute__((gnu_inline)) extern inline int lib_gnu_extern_inline(int x)
{
	return x + 7;
}

int lib_use(int x)
{_cgo_wait_runtime_init_done(); return lib_inline_only(x) + lib_static_inline(x); }
static int _initgate_init(void) __attribute__((alias("lib_init")));
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return _initgate_init(); }
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 2\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_init\"\n1: .balign 4\n.popsection\n");
