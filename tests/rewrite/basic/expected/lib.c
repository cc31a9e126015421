#line 1 "lib.c"
/* Linkage and visibility attributes decide what is gated. */
#include <stddef.h>
#include <stdio.h>

static int table[16];

int lib_init(void)
{
	size_t i;
	for (i = 0; i < 16; i++)
		table[i] = (int)(i * i);
	return 0;
}

int lib_square(int x) {_cgo_wait_runtime_init_done(); return table[x & 15]; }

static int helper(int x) { return x + 1; }

__attribute__((visibility("hidden"))) int lib_hidden(int x) { return helper(x); }

__attribute__((visibility("internal"))) int lib_internal(void) { return 3; }

__attribute__((visibility("protected"))) int lib_protected(void)
{_cgo_wait_runtime_init_done(); return 4; }

int lib_declared_hidden(void) __attribute__((visibility("hidden")));
int lib_declared_hidden(void) { return 5; }

__attribute__((weak)) int lib_weak(void) {_cgo_wait_runtime_init_done(); return 6; }

void lib_print(const char *s)
{_cgo_wait_runtime_init_done();
	printf("%s\n", s);
}

int main(void) { return lib_square(2) - 4; }
static int _initgate_init(void) __attribute__((alias("lib_init")));
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return _initgate_init(); }
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 2\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_init\"\n1: .balign 4\n.popsection\n");
