#line 1 "lib.c"
/* The build's flags come in a response file (@flags.rsp), which names
   another (@more.rsp): gcc reads both, and so must the parse. */
#include "cfg.h"

int lib_init(void) { return 0; }

#if HIDE_IT
static
#endif
int hidden_by_rsp(void) { return 1; }

const char *lib_name(void) {_cgo_wait_runtime_init_done(); return NAME; }

int lib_use(void) {_cgo_wait_runtime_init_done(); return hidden_by_rsp() + CFG_VALUE; }
static int _initgate_init(void) __attribute__((alias("lib_init")));
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return _initgate_init(); }
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 2\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_init\"\n1: .balign 4\n.popsection\n");
