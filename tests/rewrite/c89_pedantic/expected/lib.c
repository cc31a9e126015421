#line 1 "lib.c"
/* Built like cJSON: strict C89, every warning an error.  The gate must
 * enter each block as a declaration. */
#include <string.h>

static char buffer[64];

int lib_init(void)
{
    memset(buffer, 0, sizeof buffer);
    return 0;
}

int lib_length(const char *s)
{_cgo_wait_runtime_init_done();
    size_t n = strlen(s);
    int result;
    result = (int)n;
    return result;
}

void lib_copy(char *dst, const char *src)
{_cgo_wait_runtime_init_done(); int i; for (i = 0; src[i]; i++) dst[i] = src[i]; dst[i] = 0; }
static int _initgate_init(void) __attribute__((alias("lib_init")));
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return _initgate_init(); }
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 2\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_init\"\n1: .balign 4\n.popsection\n");
