/*
 * A plugin whose constructor loads a gated library and calls it: the call
 * happens inside the host's dlopen of this plugin, under the loader's lock.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((constructor))
static void load_and_call(void)
{
	void *lib = dlopen(getenv("HOSTILE_LIB"), RTLD_NOW | RTLD_LOCAL);
	int (*value)(void) = lib ? (int (*)(void))dlsym(lib, "lib_value") : 0;

	if (!value) {
		fprintf(stderr, "plugin: %s\n", dlerror());
		exit(3);
	}
	printf("plugin constructor saw %d\n", value());
	fflush(stdout);
}
