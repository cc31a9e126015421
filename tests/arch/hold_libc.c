/*
 * matrix_lib's hold on init, through the C library (glibc or musl).  The
 * futex constants are spelled out because musl-gcc has no <linux/futex.h>.
 */
#include <sys/syscall.h>
#include <unistd.h>

#define FUTEX_WAIT_PRIVATE 128

__attribute__((visibility("hidden"))) void matrix_hold(int *tid, int *release);

void matrix_hold(int *tid, int *release)
{
	__atomic_store_n(tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	while (!__atomic_load_n(release, __ATOMIC_ACQUIRE))
		syscall(SYS_futex, release, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0);
}
