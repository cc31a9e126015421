int lib_init(void) { return 0; }
int lib_broken(void) { return 1 }
