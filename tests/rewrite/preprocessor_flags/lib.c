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
int kept_by_wp_undef(void) { return 2; }

#if CFG_HIDE
static
#endif
int hidden_by_xpreprocessor(void) { return 3; }

int lib_sum(void)
{
	return hidden_by_wp() + kept_by_wp_undef() + hidden_by_xpreprocessor();
}
