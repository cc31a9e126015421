/*
 * Loads a library and prints three numbers: initgate's state right after
 * dlopen, before any call (0 unless the loader started init), what add(2, 3)
 * returns through the gate, and the state after that call.
 */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	void *lib;
	int (*state)(void);
	int (*add)(int, int);
	int at_load, sum;

	if (argc != 2)
		return 2;
	lib = dlopen(argv[1], RTLD_NOW);
	if (!lib) {
		fprintf(stderr, "%s\n", dlerror());
		return 2;
	}
	state = (int (*)(void))dlsym(lib, "lib_state");
	add = (int (*)(int, int))dlsym(lib, "add");
	if (!state || !add) {
		fprintf(stderr, "missing lib_state or add\n");
		return 2;
	}
	at_load = state();
	sum = add(2, 3);
	printf("%d %d %d\n", at_load, sum, state());
	return 0;
}
