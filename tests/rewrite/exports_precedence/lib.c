int lib_init(void) { return 0; }
int api_open(void) { return 1; }
int api_close(void) { return 2; }
int api_internal(void) { return 3; }
int other(void) { return 4; }
int plain_c(void) { return 5; }
