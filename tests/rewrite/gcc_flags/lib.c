/* gcc accepts this with warnings and odd flags; clang must parse it too. */
int lib_init(void) { return 0; }

int lib_implicit(void) { return undeclared_function(3); }

int *lib_int_conversion(void) { return 42; }

lib_implicit_int_return(void) { return 1; }
