/*
 * call LIBRARY.so SYMBOL: dlopen the library, call `int SYMBOL(void)`,
 * print its value.  The gate makes the call wait for init, so the value
 * printed is the one init set up.
 */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	void *lib;
	int (*fn)(void);

	if (argc != 3)
		return 2;
	lib = dlopen(argv[1], RTLD_NOW);
	if (!lib) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	fn = (int (*)(void))dlsym(lib, argv[2]);
	if (!fn) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	printf("%d\n", fn());
	return 0;
}
