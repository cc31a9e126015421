/* An asm label renames a function's symbol: --exports, --ungated and the
 * manifest speak of the symbol, which is what the linker and nm see. */
int lib_init(void) { return 0; }

int open_impl(void) __asm__("lib_open");
int open_impl(void) { return 1; }

int close_impl(void) __asm__("lib_close");
int close_impl(void) { return 2; }

int peek_impl(void) __asm__("lib_peek");
int peek_impl(void) { return 3; }

int helper(void) { return 4; }

/* An alias names its target by symbol. */
int lib_open_alias(void) __attribute__((alias("lib_open")));
