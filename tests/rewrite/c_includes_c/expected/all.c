#line 1 "all.c"
/* One translation unit for the whole library, like Lua's onelua.c. */
#include "part.c"

int lib_init(void) { return 0; }
int lib_total(void) {_cgo_wait_runtime_init_done(); return part_one() + part_three(); }
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return lib_init(); }
