/*
 * Lets a test hold a real library's init until it has seen the library's
 * own test program running and waiting at the gate.
 *
 * With INITGATE_HOLD_FDS="REPORT HOLD" in the environment, init writes
 * "PID TID\n" to REPORT (the test learns which process and which thread run
 * init), then reads one byte from HOLD: the test writes it once the
 * program's main thread is asleep at the gate.  Without the variable, init
 * goes straight on.  Returns 0, or -1 when the test closed its end.
 */
#ifndef HOLD_H
#define HOLD_H

#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static int hold_for_test(void)
{
	const char *fds = getenv("INITGATE_HOLD_FDS");
	int report, hold, length;
	char line[64], byte;

	if (!fds || sscanf(fds, "%d %d", &report, &hold) != 2)
		return 0;
	length = snprintf(line, sizeof(line), "%d %ld\n", (int)getpid(),
			  (long)syscall(SYS_gettid));
	if (write(report, line, length) != length)
		return -1;
	return read(hold, &byte, 1) == 1 ? 0 : -1;
}

#endif
