#line 1 "lib.c"
/* #pragma GCC visibility hides everything between push and pop. */
int lib_init(void) { return 0; }

#pragma GCC visibility push(hidden)
int lib_pushed_hidden(void) { return 1; }
__attribute__((visibility("default"))) int lib_pushed_default(void)
{_cgo_wait_runtime_init_done(); return 2; }
#pragma GCC visibility push(default)
int lib_nested_default(void) {_cgo_wait_runtime_init_done(); return 3; }
#pragma GCC visibility pop
int lib_hidden_again(void) { return 4; }
#pragma GCC visibility pop

int lib_after(void) {_cgo_wait_runtime_init_done(); return 5; }
static int _initgate_init(void) __attribute__((alias("lib_init")));
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return _initgate_init(); }
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 2\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_init\"\n1: .balign 4\n.popsection\n");
