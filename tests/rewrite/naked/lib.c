/* A naked function's body is assembly: no C statement may go in it. */
int lib_init(void) { return 0; }

__attribute__((naked)) void lib_trampoline(void)
{
	__asm__("ret");
}
