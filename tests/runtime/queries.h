/*
 * The query exports held.c and bare.c share: what the runtime reports about
 * init, and where init's stack was (the file that includes this defines
 * `init_stack` and stores to it from init).  Queries must never wait, so
 * each is marked for rewrite to leave without a gate.
 */
INITGATE_UNGATED int lib_state(void)
{
	return initgate_state(0);
}

INITGATE_UNGATED int lib_status(void)
{
	int status;

	initgate_state(&status);
	return status;
}

INITGATE_UNGATED int lib_wait_for(long ms)
{
	return initgate_wait_for(ms);
}

INITGATE_UNGATED int lib_argc(void)
{
	return initgate_argc();
}

INITGATE_UNGATED char **lib_argv(void)
{
	return initgate_argv();
}

/* 0 until init has recorded its thread. */
INITGATE_UNGATED unsigned long lib_init_stack(void)
{
	return __atomic_load_n(&init_stack, __ATOMIC_ACQUIRE);
}
