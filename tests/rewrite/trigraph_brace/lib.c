/* A trigraph spells the opening brace without a { in the file (-std=c99). */
int lib_init(void) { return 0; }

int lib_api(void) ??< return 1; ??>
