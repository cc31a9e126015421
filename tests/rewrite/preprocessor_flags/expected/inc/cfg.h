#line 1 "inc/cfg.h"
/* Found through -Wp,-Iinc only. */
#define CFG_FOUND 1
