/* One translation unit for the whole library, like Lua's onelua.c. */
#include "part.c"

int lib_init(void) { return 0; }
int lib_total(void) { return part_one() + part_three(); }
