#line 1 "lib.c"
/* Flags the build hands the preprocessor through -Wp, and -Xpreprocessor
   decide what is exported: gcc reads them as -D, -U and -I. */
#include "cfg.h"

int lib_init(void) { return 0; }

#ifdef HIDE
static
#endif
int hidden_by_wp(void) { return 1; }

#ifdef SHOWN
static
#endif
int kept_by_wp_undef(void) {_cgo_wait_runtime_init_done(); return 2; }

#if CFG_HIDE
static
#endif
int hidden_by_xpreprocessor(void) { return 3; }

int lib_sum(void)
{_cgo_wait_runtime_init_done();
	return hidden_by_wp() + kept_by_wp_undef() + hidden_by_xpreprocessor();
}
static int _initgate_init(void) __attribute__((alias("lib_init")));
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return _initgate_init(); }
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 2\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_init\"\n1: .balign 4\n.popsection\n");
