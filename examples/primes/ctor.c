/*
 * The usual alternative, for comparison: run the same init from a
 * constructor.  dlopen() then does not return until the tables are built.
 */
int primes_init(void);

__attribute__((constructor)) static void primes_init_at_load(void)
{
	primes_init();
}
