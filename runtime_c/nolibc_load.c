/*
 * The no-libc flavour's load-time questions.  With no C library to ask,
 * the name comes from the loader's own list of objects (_r_debug, which
 * glibc's and musl's loaders both define), matched by our dynamic
 * section; the environment only from what the loader passed.
 *
 * Not available here: fork handlers (a fork while init runs leaves a child
 * whose gated calls stop with a clear message, see await.c) and the
 * run-time NODELETE guard (only patch-elf's DF_1_NODELETE protects a
 * no-libc library from dlclose).
 */
#include "nolibc.h"

struct initgate_link_map {
	unsigned long l_addr;
	const char *l_name;
	void *l_ld;
	struct initgate_link_map *l_next;
};

struct initgate_r_debug {
	int r_version;
	struct initgate_link_map *r_map;
};

extern struct initgate_r_debug _r_debug __attribute__((weak));
extern char _DYNAMIC[] __attribute__((visibility("hidden")));

/* glibc and musl both define it; weak, since we link against neither. */
extern char **__environ __attribute__((weak));

/*
 * glibc's loader passes argc/argv/envp to .init_array functions; musl's
 * passes nothing, and the registers hold garbage.  A no-libc library cannot
 * know at build time whose loader will call it, so it compares: the envp it
 * was given is the process's environment only if the loader really passed
 * one.  The comparison reads no memory through envp; where it fails the
 * runtime goes without the arguments rather than guess.
 */
int _initgate_os_loader_passes_args(char **envp)
{
	return &__environ && envp && envp == __environ;
}

/* Walked under the loader's lock (from the runtime's constructor). */
const char *_initgate_os_library_path(void)
{
	struct initgate_link_map *map;

	if (!&_r_debug)
		return 0;
	for (map = _r_debug.r_map; map; map = map->l_next)
		if (map->l_ld == (void *)_DYNAMIC)
			return map->l_name;
	return 0;
}

const char *_initgate_os_getenv(const char *name)
{
	char **env;
	int i;

	for (env = _initgate_envp; env && *env; env++) {
		for (i = 0; name[i] && (*env)[i] == name[i]; i++)
			;
		if (!name[i] && (*env)[i] == '=')
			return *env + i + 1;
	}
	return 0;
}

void _initgate_os_watch_fork(void (*prepare)(void), void (*child)(void))
{
	(void)prepare;
	(void)child;
}

void _initgate_os_keep_loaded(void)
{
}

void _initgate_os_fill_args(void)
{
}
