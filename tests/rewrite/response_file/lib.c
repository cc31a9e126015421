/* The build's flags come in a response file (@flags.rsp), which names
   another (@more.rsp): gcc reads both, and so must the parse. */
#include "cfg.h"

int lib_init(void) { return 0; }

#if HIDE_IT
static
#endif
int hidden_by_rsp(void) { return 1; }

const char *lib_name(void) { return NAME; }

int lib_use(void) { return hidden_by_rsp() + CFG_VALUE; }
