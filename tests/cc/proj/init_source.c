/*
 * An init function kept outside the library's sources and compiled in by
 * `initgate cc --init-source`; hidden, so it adds nothing to the exports.
 */
__attribute__((visibility("hidden"))) int init_source_ran;

__attribute__((visibility("hidden"))) int outside_init(void)
{
	init_source_ran = 11;
	return 0;
}
