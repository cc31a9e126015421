#line 1 "lib.c"
/* Attributes on a declaration after the definition: gcc applies them,
 * clang drops them with a warning.  rewrite follows gcc, and says so. */
int lib_init(void) { return 0; }

int lib_hidden_late(void) { return 1; }
int lib_hidden_late(void) __attribute__((visibility("hidden")));

void lib_setup(void) { }
void lib_setup(void) __attribute__((constructor));

void lib_teardown(void) { }
void lib_teardown(void) __attribute__((__destructor__));

#define LIB_LOCAL __attribute__((visibility("hidden")))
int lib_local_late(void) { return 2; }
int lib_local_late(void) LIB_LOCAL;

/* Under -fvisibility=hidden this one would be exported again. */
int lib_shown_late(void) {_cgo_wait_runtime_init_done(); return 3; }
int lib_shown_late(void) __attribute__((visibility("default")));

int lib_plain(void) {_cgo_wait_runtime_init_done(); return 4; }
static int _initgate_init(void) __attribute__((alias("lib_init")));
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return _initgate_init(); }
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 2\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_init\"\n1: .balign 4\n.popsection\n");
