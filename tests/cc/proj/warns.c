/* A source whose compiler warning must point at this file, line 5. */
int warns_value(void)
{
	int unused_here;
#warning "the wrapper's diagnostics name the original"
	return 7;
}
