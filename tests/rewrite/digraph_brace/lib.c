/* The digraph <% spells an opening brace without a { in the file. */
int lib_init(void) { return 0; }

int lib_api(void) <% return 1; %>
