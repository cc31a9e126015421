/*
 * ungated: exports that look gated but do not pass the gate before anything
 * else, each in one way; verify must name every one, with every compiler
 * (tests/test_verify_compilers.py).  Compiled as it is, never rewritten: it
 * uses gate.h's pieces directly, as a mistaken hand edit would.
 */
#include "gate.h"

int ungated_word;
int ungated_helper(int value);

/* A leaf that stores through its argument: on ppc64 a call of it looks like
 * a call of a register-save routine, but it stores outside the frame. */
__attribute__((noinline)) static void put(long *where, long value)
{
	*where = value;
}

int ungated_store_first(int *p, int v)
{
	*p = v;
	_cgo_wait_runtime_init_done();
	return p[1] + v;
}

int ungated_store_global(int v)
{
	ungated_word = v;
	_cgo_wait_runtime_init_done();
	return ungated_word + v;
}

/* Six values live across the gate: at -O2 the pointer sits in a register
 * that is a frame pointer at -O0 (rbp, s0, r11), and the store goes through it. */
long ungated_store_kept(long *p, long a, long b, long c, long d, long e)
{
	*p = a;
	_cgo_wait_runtime_init_done();
	return *p + a + b + c + d + e;
}

long ungated_call_first(long *p, long v)
{
	put(p, v);
	_cgo_wait_runtime_init_done();
	return *p + v;
}

int ungated_call_extern_first(int v)
{
	int r = ungated_helper(v);

	_cgo_wait_runtime_init_done();
	return r + v;
}

/* Reads the state, never decides on it. */
int ungated_peek(int v)
{
	return __atomic_load_n(&_initgate_state, __ATOMIC_ACQUIRE) + v;
}

/* Decides on the state, never waits. */
int ungated_no_wait(int v)
{
	if (__atomic_load_n(&_initgate_state, __ATOMIC_ACQUIRE) != INITGATE_DONE)
		return ungated_helper(v);
	return v;
}

int ungated_store_between(int *p, int v)
{
	int state = __atomic_load_n(&_initgate_state, __ATOMIC_ACQUIRE);

	*p = v;
	if (state != INITGATE_DONE)
		_initgate_wait(__func__);
	return p[1];
}

/* Waits only when v is not 0 as well: the compilers fold both tests into one branch. */
int ungated_wait_sometimes(int v)
{
	if (__atomic_load_n(&_initgate_state, __ATOMIC_ACQUIRE) != INITGATE_DONE && v)
		_initgate_wait(__func__);
	return v + 1;
}

/* Waits once init is done, and runs at once before. */
int ungated_inverted(int v)
{
	if (__atomic_load_n(&_initgate_state, __ATOMIC_ACQUIRE) == INITGATE_DONE)
		_initgate_wait(__func__);
	return v + 1;
}

/* Runs at once while init is running. */
int ungated_wrong_value(int v)
{
	if (__atomic_load_n(&_initgate_state, __ATOMIC_ACQUIRE) != INITGATE_RUNNING)
		_initgate_wait(__func__);
	return v + 1;
}

int ungated_store_before_wait(int v)
{
	if (__atomic_load_n(&_initgate_state, __ATOMIC_ACQUIRE) != INITGATE_DONE) {
		ungated_word = v;
		_initgate_wait(__func__);
	}
	return v + 1;
}

int ungated_call_before_wait(int v)
{
	if (__atomic_load_n(&_initgate_state, __ATOMIC_ACQUIRE) != INITGATE_DONE) {
		ungated_helper(v);
		_initgate_wait(__func__);
	}
	return v + 1;
}
