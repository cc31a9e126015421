#line 1 "include/lib.h"
#ifndef LIB_H
#define LIB_H

#include <initgate.h>

int lib_init(void);
INITGATE_UNGATED int lib_is_ready(void);
int lib_work(int x);

#endif
