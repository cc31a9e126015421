/* Does not compile: the wrapper must return the compiler's own verdict. */
int broken(void)
{
	return undeclared_name;
}
