#line 1 "lib.c"
/* Constructors and destructors run before init exists: never gated. */
static int order;

void lib_init(void) { order = 1; }

__attribute__((constructor)) void lib_ctor(void) { order = 2; }
__attribute__((__constructor__)) void lib_ctor_underscored(void) { order = 3; }
__attribute__((constructor(200))) void lib_ctor_priority(void) { order = 4; }
[[gnu::constructor]] void lib_ctor_c23(void) { order = 5; }
void lib_ctor_declared(void) __attribute__((constructor));
void lib_ctor_declared(void) { order = 6; }

__attribute__((destructor)) void lib_dtor(void) { order = 7; }
__attribute__((__destructor__(300))) void lib_dtor_priority(void) { order = 8; }
void __attribute__((used, destructor)) lib_dtor_middle(void) { order = 9; }

__attribute__((used)) int lib_used(void) {_cgo_wait_runtime_init_done(); return order; }
static void _initgate_init(void) __attribute__((alias("lib_init")));
__attribute__((visibility("hidden"))) int _initgate_user_init(void);
__attribute__((visibility("hidden"))) int _initgate_user_init(void) { _initgate_init(); return 0; }
__asm__(".pushsection .note.initgate,\"a\",%note\n.balign 4\n"
	".long 9, 1f - 0f, 2\n.asciz \"initgate\"\n.balign 4\n"
	"0: .asciz \"lib_init\"\n1: .balign 4\n.popsection\n");
