#line 1 "lib.c"
int lib_init(void) { return 0; }
int api_open(void) {_cgo_wait_runtime_init_done(); return 1; }
int api_close(void) { return 2; }
int api_internal(void) { return 3; }
int other(void) { return 4; }
int plain_c(void) {_cgo_wait_runtime_init_done(); return 5; }
static int _initgate_init(void) __attribute__((alias("lib_init")));
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return _initgate_init(); }
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 2\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_init\"\n1: .balign 4\n.popsection\n");
