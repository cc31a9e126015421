/*
 * A stand-in for the runtime's symbols, for building patch-elf's test
 * libraries from runtime_c/note.c alone: patch-elf reads only the note,
 * the reserved slot and the relocation, never the runtime's code.
 */
#define HIDDEN __attribute__((visibility("hidden")))

HIDDEN int _initgate_state;

HIDDEN void _initgate_wait(const char *function)
{
	(void)function;
}

/* What x86_64's gates call instead (runtime_c/arch/x86_64-gate.S). */
#if defined(__x86_64__) && defined(__LP64__)
HIDDEN void _initgate_wait_preserving(void)
{
}
#endif

HIDDEN void _cgo_wait_runtime_init_done(void)
{
}

HIDDEN void _initgate_rt0_lib(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)argv;
	(void)envp;
}
