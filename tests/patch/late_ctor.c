/* A constructor in an object linked after the runtime: it runs after the
 * reserved slot, so after the init thread has started. */
int late_ctor_ran;

__attribute__((constructor)) static void late_ctor(void)
{
	late_ctor_ran = 1;
}
