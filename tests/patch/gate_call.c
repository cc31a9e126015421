/*
 * A hand-written caller of the gate function, as assembly would be: verify
 * must accept a direct call of _cgo_wait_runtime_init_done before the body.
 * gate.h is not included, so the name is the runtime's real function.
 */
void _cgo_wait_runtime_init_done(void) __attribute__((visibility("hidden")));

__attribute__((visibility("default"))) int by_hand(int x)
{
	_cgo_wait_runtime_init_done();
	return x + 1;
}
