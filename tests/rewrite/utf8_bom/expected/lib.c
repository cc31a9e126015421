#line 1 "lib.c"
/* A byte-order mark, and UTF-8 in comments and identifiers: été. */
int lib_init(void) { return 0; }
int lib_café(void) {_cgo_wait_runtime_init_done(); return 1; }
int lib_λ(int x) {_cgo_wait_runtime_init_done(); return x; }
const char *lib_text(void) {_cgo_wait_runtime_init_done(); return "naïve {"; }
static int _initgate_init(void) __attribute__((alias("lib_init")));
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return _initgate_init(); }
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 2\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_init\"\n1: .balign 4\n.popsection\n");
