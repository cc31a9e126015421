int lib_init(void) { return 0; }
int lib_one(void) { return 1; }
int lib_two(void) { return 2; }
int lib_three(void) { return 3; }
