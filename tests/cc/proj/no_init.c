/* A library with no init function of its own (see init_source.c). */
extern int init_source_ran;

int no_init_value(void)
{
	return init_source_ran;
}
