/* Compiled on its own by some builds, included by all.c by others. */
int part_one(void) { return 1; }
static int part_two(void) { return 2; }
int part_three(void) { return part_two() + 1; }
