/*
 * The libc flavour's gate: a mutex and a condition variable around the
 * state word.  Changes of state happen under the mutex and broadcast, so a
 * waiter that checked the state under the mutex can never miss its wake-up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "internal.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;

int _initgate_os_publish(int from, int to)
{
	int moved = 0;

	pthread_mutex_lock(&lock);
	/* Relaxed: the mutex orders this against every other change. */
	if (__atomic_load_n(&_initgate_state, __ATOMIC_RELAXED) == from) {
		/* Release: pairs with the gate's lock-free acquire load. */
		__atomic_store_n(&_initgate_state, to, __ATOMIC_RELEASE);
		pthread_cond_broadcast(&changed);
		moved = 1;
	}
	pthread_mutex_unlock(&lock);
	return moved;
}

/*
 * The deadline is on CLOCK_REALTIME, the clock a statically initialized
 * condition variable uses; a jump of the wall clock only makes one sleep of
 * the watchdog's longer or shorter, and callers measure on the monotonic
 * clock.  Cancellation is off while the mutex is held: a cancelled waiter
 * must not leave it locked for everyone else.
 */
void _initgate_os_sleep_while_running(long timeout_ms)
{
	struct timespec deadline;
	int cancel;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	if (timeout_ms >= 0) {
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += timeout_ms / 1000;
		deadline.tv_nsec += timeout_ms % 1000 * 1000000;
		if (deadline.tv_nsec >= 1000000000) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000;
		}
	}
	pthread_mutex_lock(&lock);
	/* Relaxed: the mutex orders it; the caller re-reads with acquire. */
	if (__atomic_load_n(&_initgate_state, __ATOMIC_RELAXED)
	    == INITGATE_RUNNING) {
		if (timeout_ms < 0)
			pthread_cond_wait(&changed, &lock);
		else
			pthread_cond_timedwait(&changed, &lock, &deadline);
	}
	pthread_mutex_unlock(&lock);
	pthread_setcancelstate(cancel, 0);
}

void _initgate_os_pause(long ms)
{
	struct timespec t = { ms / 1000, ms % 1000 * 1000000 };

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}
