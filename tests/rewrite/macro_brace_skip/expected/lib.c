#line 1 "lib.c"
/* An opening brace that a macro supplies cannot be edited in place. */
#define BEGIN {
#define DEFINE_GETTER(name, value) int name(void) { return value; }

int lib_init(void) { return 0; }
int lib_begin(void) BEGIN return 1; }
DEFINE_GETTER(lib_getter, 2)
static int lib_static_begin(void) BEGIN return 3; }
int lib_plain(void) {_cgo_wait_runtime_init_done(); return lib_static_begin(); }
static int _initgate_init(void) __attribute__((alias("lib_init")));
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return _initgate_init(); }
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 2\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_init\"\n1: .balign 4\n.popsection\n");
