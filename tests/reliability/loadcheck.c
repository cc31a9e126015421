/*
 * Loads each library given in a child process of its own and calls one
 * function, bounded by an alarm: prints "ok PATH" when it returned the
 * expected value, else what happened.  Used by the fuzz suite to check
 * that every library patch-elf claims to have patched really loads.
 *
 *   loadcheck FUNCTION EXPECTED LIB...
 */
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int check(const char *path, const char *name, int expected)
{
	void *lib;
	int (*fn)(void);

	alarm(10);
	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "%s\n", dlerror());
		return 10;
	}
	fn = (int (*)(void))dlsym(lib, name);
	if (!fn)
		return 11;
	return fn() == expected ? 0 : 12;
}

int main(int argc, char **argv)
{
	int i, status;

	setvbuf(stdout, 0, _IONBF, 0);
	for (i = 3; i < argc; i++) {
		pid_t child = fork();

		if (child == 0)
			_exit(check(argv[i], argv[1], atoi(argv[2])));
		if (child < 0 || waitpid(child, &status, 0) != child)
			return 3;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			printf("ok %s\n", argv[i]);
		else if (WIFEXITED(status))
			printf("exit %d %s\n", WEXITSTATUS(status), argv[i]);
		else
			printf("signal %d %s\n", WTERMSIG(status), argv[i]);
	}
	return 0;
}
