#line 1 "lib.c"
/* Marked in the header, marked at the definition, or named on the command line. */
#include "include/lib.h"

static volatile int ready;

int lib_init(void) { ready = 1; return 0; }
int lib_is_ready(void) { return ready; }
INITGATE_UNGATED int lib_state(void) { return ready; }
int lib_progress(void) { return ready * 100; }
int lib_work(int x) {_cgo_wait_runtime_init_done(); return x * 2; }
static int _initgate_init(void) __attribute__((alias("lib_init")));
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return _initgate_init(); }
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 2\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_init\"\n1: .balign 4\n.popsection\n");
