/*
 * The reserved .init_array slot and the note that tells patch-elf where
 * things are (see ABI.md, "The note").
 *
 * The slot points at _initgate_unpatched until patch-elf retargets it to the
 * rt0 lib entry; an unpatched library therefore loads with nothing started and
 * runs init on its first gated call.  The note is allocated, so it lands in a
 * PT_NOTE segment and stays findable from program headers after any strip; its
 * offsets are PC-relative, so the static linker resolves them and no dynamic
 * relocation is involved.
 *
 * Built with -DINITGATE_E_MACHINE=N and -DINITGATE_NOTE_FLAGS=N by
 * `initgate runtime`, which knows the target from its table of architectures.
 */

#include "gate.h"

#define INITGATE_STR2(x) #x
#define INITGATE_STR(x) INITGATE_STR2(x)

void _initgate_unpatched(void) __attribute__((visibility("hidden")));

void _initgate_unpatched(void)
{
}

/* Writable like every .init_array: the loader's relocation fills it in. */
__attribute__((visibility("hidden"), used, section(".init_array")))
void (*_initgate_slot)(void) = _initgate_unpatched;

/* `%note` rather than `@note`: on ARM `@` starts a comment. */
__asm__(
	".pushsection .note.initgate,\"a\",%note\n"
	".balign 4\n"
	".long 9\n"			/* n_namesz: "initgate" and its NUL */
	".long 44\n"			/* n_descsz: eleven words */
	".long 1\n"			/* n_type */
	".asciz \"initgate\"\n"
	".balign 4\n"
	".long 1\n"			/* version */
	".long " INITGATE_STR(INITGATE_E_MACHINE) "\n"
	".globl _initgate_islibrary\n"
	".hidden _initgate_islibrary\n"
	"_initgate_islibrary:\n"
	".long 0\n"			/* islibrary: patch-elf writes 1 */
	".long _initgate_slot - .\n"
	".long _initgate_rt0_lib - .\n"
	".long _initgate_unpatched - .\n"
	".long " INITGATE_STR(INITGATE_NOTE_FLAGS) "\n"
	".long _initgate_state - .\n"
	".long " INITGATE_STR(INITGATE_WAIT_ENTRY) " - .\n"	/* what a gate calls */
	".long _cgo_wait_runtime_init_done - .\n"
	".long _initgate_rt0_lib - .\n"	/* rt0 again: see ABI.md */
	".popsection\n");
