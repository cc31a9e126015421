int lib_init(void) { return 0; }
int lib_open(void) { return 1; }
int lib_close(void) { return 2; }
int lib_get_size(void) { return 3; }
int lib_get_name(void) { return 4; }
int lib_private_helper(void) { return 5; }
static int lib_static(void) { return 6; }
int lib_use(void) { return lib_static(); }
