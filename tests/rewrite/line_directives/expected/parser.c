#line 1 "parser.c"
/* Generated code names its grammar with #line; the rewrite keeps that. */
int lib_init(void) { return 0; }
#line 40 "grammar.y"
int lib_parse(const char *text)
{_cgo_wait_runtime_init_done();
	return text[0];
}
#line 9 "parser.c"
int lib_free(void) {_cgo_wait_runtime_init_done(); return 0; }
static int _initgate_init(void) __attribute__((alias("lib_init")));
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { return _initgate_init(); }
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 2\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_init\"\n1: .balign 4\n.popsection\n");
