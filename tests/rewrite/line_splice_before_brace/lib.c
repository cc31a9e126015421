/* A definition split by backslash-newlines, as generated code does. */
int lib_init(void) { return 0; }

int api(void) \
{
	return 1;
}

int two(int a, \
	int b) \
\
{ return a + b; }

static int hidden(void) \
{ return 2; }

int uses_hidden(void) { return hidden(); }
