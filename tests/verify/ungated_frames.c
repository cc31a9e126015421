/*
 * ungated_frames: exports with frames larger than a page that do not pass
 * the gate first, for tests/test_verify_compilers.py, which builds them
 * with -fstack-clash-protection wherever the compiler implements it: verify
 * must walk through each probe loop and still name every one.  Compiled as
 * it is, never rewritten, like ungated.c.
 */
#include "gate.h"

int ungated_frame_word;
int ungated_frame_helper(char *buf, int value);

/* Never waits: all it touches is its own 64 KB frame, and then it returns. */
int ungated_frame_no_gate(int v)
{
	volatile char buf[64 * 1024];

	buf[0] = (char)v;
	buf[sizeof buf - 1] = (char)v;
	return buf[0] + buf[sizeof buf - 1];
}

/* Hands its 1 MB frame to another function before the gate. */
int ungated_frame_call(int v)
{
	char buf[1024 * 1024];
	int r = ungated_frame_helper(buf, v);

	_cgo_wait_runtime_init_done();
	return r + buf[v & 0xfffff];
}

/* Stores to a global once its 5 KB frame is probed, before the gate. */
int ungated_frame_store(int v)
{
	volatile char buf[5 * 1024];

	ungated_frame_word = v;
	_cgo_wait_runtime_init_done();
	buf[v & 1023] = (char)v;
	return buf[0] + ungated_frame_word;
}
