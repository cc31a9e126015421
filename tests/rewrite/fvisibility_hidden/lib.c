/* With -fvisibility=hidden only what is marked default is exported. */
#define API __attribute__((visibility("default")))

API int lib_init(void) { return 0; }
int lib_internal(void) { return 1; }
API int lib_api(void) { return 2; }
API int lib_declared(void);
int lib_declared(void) { return 3; }
extern int lib_extern_plain(void);
int lib_extern_plain(void) { return 4; }
