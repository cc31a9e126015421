#line 1 "lib.c"
/* An asm label renames a function's symbol: --exports, --ungated and the
 * manifest speak of the symbol, which is what the linker and nm see. */
int lib_init(void) { return 0; }

int open_impl(void) __asm__("lib_open");
int open_impl(void) {_cgo_wait_runtime_init_done(); return 1; }

int close_impl(void) __asm__("lib_close");
int close_impl(void) { return 2; }

int peek_impl(void) __asm__("lib_peek");
int peek_impl(void) { return 3; }

int helper(void) { return 4; }

/* An alias names its target by symbol. */
int lib_open_alias(void) __attribute__((alias("lib_open")));
static int _initgate_init(void) __attribute__((alias("lib_init")));
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return _initgate_init(); }
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 2\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_init\"\n1: .balign 4\n.popsection\n");
