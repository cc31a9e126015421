/* A second source for commands that compile several files at once. */
int other_value(void)
{
	return 5;
}
