#line 1 "init.c"
/*
 * Built with -Wunused-macros -Werror: a rewritten file must define no macro
 * it never uses.  This one defines only the init function, so it gets no gate
 * and none of gate.h, only the #line.
 */
#define START_STATUS 0

static int prepare(void)
{
	return START_STATUS;
}

int lib_init(void)
{
	return prepare();
}
static int _initgate_init(void) __attribute__((alias("lib_init")));
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return _initgate_init(); }
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 2\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_init\"\n1: .balign 4\n.popsection\n");
