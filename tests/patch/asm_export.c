/* One exported function written in assembly (x86_64): no gate can be in it. */
__asm__(".text\n"
	".globl asm_export\n"
	".type asm_export, @function\n"
	"asm_export:\n"
	"\tleal 1(%rdi), %eax\n"
	"\tret\n"
	".size asm_export, .-asm_export\n");
