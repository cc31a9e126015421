/* Tabs and CRLF line endings: offsets count bytes. */
	int	lib_init(void)	{	return 0; }

int
lib_tab(int	x)
{
	return x;
}
		int lib_indented(void)		{ return 1; }
