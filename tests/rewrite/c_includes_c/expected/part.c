#line 1 "part.c"
/* Compiled on its own by some builds, included by all.c by others. */
int part_one(void) {_cgo_wait_runtime_init_done(); return 1; }
static int part_two(void) { return 2; }
int part_three(void) {_cgo_wait_runtime_init_done(); return part_two() + 1; }
