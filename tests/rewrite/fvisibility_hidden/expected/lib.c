#line 1 "lib.c"
/* With -fvisibility=hidden only what is marked default is exported. */
#define API __attribute__((visibility("default")))

API int lib_init(void) { return 0; }
int lib_internal(void) { return 1; }
API int lib_api(void) {_cgo_wait_runtime_init_done(); return 2; }
API int lib_declared(void);
int lib_declared(void) {_cgo_wait_runtime_init_done(); return 3; }
extern int lib_extern_plain(void);
int lib_extern_plain(void) { return 4; }
static int _initgate_init(void) __attribute__((alias("lib_init")));
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return _initgate_init(); }
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 2\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_init\"\n1: .balign 4\n.popsection\n");
