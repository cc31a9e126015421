/* A byte-order mark, and UTF-8 in comments and identifiers: été. */
int lib_init(void) { return 0; }
int lib_café(void) { return 1; }
int lib_λ(int x) { return x; }
const char *lib_text(void) { return "naïve {"; }
