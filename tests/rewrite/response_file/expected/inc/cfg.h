#line 1 "inc/cfg.h"
/* Found through the response file's -Iinc only. */
#define CFG_VALUE 2
