#line 1 "src/../include/util.h"
#ifndef UTIL_H
#define UTIL_H

/* Defined in a header of the project: gated once, where it is written. */
static inline int util_twice(int x) { return 2 * x; }

int util_exported(int x);
inline int util_exported(int x) {_cgo_wait_runtime_init_done(); return x + 1; }

#endif
