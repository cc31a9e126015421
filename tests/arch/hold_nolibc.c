/*
 * matrix_lib's hold on init, without a C library: through the runtime's
 * own system call glue, linked into the same library, with the numbers of
 * runtime_c/arch/ARCH.h (given with -include).  It runs on the init
 * thread, which has no TLS, so it must not touch any.
 */
#define FUTEX_WAIT_PRIVATE 128

long _initgate_syscall(long number, long a1, long a2, long a3, long a4,
		       long a5, long a6) __attribute__((visibility("hidden")));
__attribute__((visibility("hidden"))) void matrix_hold(int *tid, int *release);

void matrix_hold(int *tid, int *release)
{
	long me = _initgate_syscall(INITGATE_SYS_gettid, 0, 0, 0, 0, 0, 0);

	__atomic_store_n(tid, (int)me, __ATOMIC_RELEASE);
	while (!__atomic_load_n(release, __ATOMIC_ACQUIRE))
		_initgate_syscall(INITGATE_SYS_futex, (long)release,
				  FUTEX_WAIT_PRIVATE, 0, 0, 0, 0);
}
