/*
 * The libc flavour's load-time questions: which file are we, what did the
 * loader pass, how to hear about fork, and how to stay mapped.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "internal.h"

/* glibc passes argc, argv and envp to .init_array functions; others
 * (musl among them) pass nothing, and the registers hold garbage. */
int _initgate_os_loader_passes_args(char **envp)
{
	(void)envp;
#ifdef __GLIBC__
	return 1;
#else
	return 0;
#endif
}

static Dl_info self;

const char *_initgate_os_library_path(void)
{
	if (!self.dli_fname && !dladdr((void *)_initgate_os_library_path,
				       &self))
		return 0;
	return self.dli_fname;
}

const char *_initgate_os_getenv(const char *name)
{
	return getenv(name);
}

void _initgate_os_watch_fork(void (*prepare)(void), void (*child)(void))
{
	pthread_atfork(prepare, 0, child);
}

/*
 * patch-elf sets DF_1_NODELETE when the dynamic section has room; this
 * makes sure at run time, so dlclose never unmaps code that the init
 * thread (or a service thread it became) may still run.
 */
void _initgate_os_keep_loaded(void)
{
	if (_initgate_os_library_path())
		dlopen(self.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE);
}

static pthread_once_t args_once = PTHREAD_ONCE_INIT;
extern char **environ;

/* Where the loader passed nothing: /proc/self/cmdline and environ. */
static void read_cmdline(void)
{
	char *buf = 0, **argv;
	size_t len = 0, cap = 0;
	ssize_t got;
	int fd, argc = 0, i;

	if (_initgate_argv)
		return;
	_initgate_envp = environ;
	fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	do {
		if (len == cap) {
			char *grown = realloc(buf, cap = cap * 2 + 4096);

			if (!grown)
				break;
			buf = grown;
		}
		got = read(fd, buf + len, cap - len);
		if (got > 0)
			len += got;
	} while (got > 0);
	close(fd);

	for (i = 0; i < (int)len; i++)
		argc += buf[i] == 0;
	argv = calloc(argc + 1, sizeof *argv);
	if (!argv)
		return;
	for (i = 0; i < argc; i++) {
		argv[i] = buf;
		buf += strlen(buf) + 1;
	}
	_initgate_argc = argc;
	_initgate_argv = argv;
}

void _initgate_os_fill_args(void)
{
	pthread_once(&args_once, read_cmdline);
}
