/*
 * Stack probe loops written by hand (x86_64), for tests/test_verify.py.
 * probe_loop is the loop -fstack-clash-protection emits: it moves the stack
 * pointer down 64 KB a page at a time, touching each page, then calls the
 * gate, and verify passes it.  Each other one differs from it in one way
 * that makes the code before the gate more than stack work: verify must
 * name each.  They are never run.
 */
__attribute__((used)) static int probe_word;
__attribute__((used)) static int probe_pages = 16;

__attribute__((used)) static void probe_helper(void)
{
}

#define PROBE(name, before, body, exit)				\
	__asm__(".text\n"					\
		".globl " #name "\n"				\
		".type " #name ", @function\n"			\
		#name ":\n"					\
		before						\
		"1:\tsub $0x1000, %rsp\n"			\
		"\torq $0, (%rsp)\n"				\
		body						\
		exit						\
		"\tjne 1b\n"					\
		"\tcall _cgo_wait_runtime_init_done\n"		\
		"\tadd $0x10000, %rsp\n"			\
		"\tret\n"					\
		".size " #name ", .-" #name "\n")

#define TO_LIMIT "\tcmp %r11, %rsp\n"
#define LIMIT "\tlea -0x10000(%rsp), %r11\n"

PROBE(probe_loop, LIMIT, "", TO_LIMIT);

/* Reads a global each round. */
PROBE(probe_loop_reads_global, LIMIT, "\tmov probe_word(%rip), %eax\n", TO_LIMIT);

/* Ends when a global says: the number of pages comes from memory. */
PROBE(probe_loop_counts_global, "\tmov probe_pages(%rip), %ecx\n", "", "\tdec %ecx\n");

/* Ends when its first argument says. */
PROBE(probe_loop_counts_argument, "\tmov %edi, %ecx\n", "", "\tdec %ecx\n");

/* Touches two pages below the page it moved the stack pointer to. */
PROBE(probe_loop_stores_below, LIMIT, "\torq $0, -0x2000(%rsp)\n", TO_LIMIT);

/* Writes into its caller's frame, 68 KB above where the stack pointer is. */
PROBE(probe_loop_stores_above, LIMIT, "\tmovq $0, 0x11000(%rsp)\n", TO_LIMIT);

/* Writes a global each round. */
PROBE(probe_loop_stores_global, LIMIT, "\tmovl $1, probe_word(%rip)\n", TO_LIMIT);

/* Calls a function each round. */
PROBE(probe_loop_calls, LIMIT, "\tcall probe_helper\n", TO_LIMIT);
