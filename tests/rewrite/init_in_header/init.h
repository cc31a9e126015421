/* A static init function in a header: every file that includes it would
 * have an init of its own. */
static int lib_init(void) { return 0; }
