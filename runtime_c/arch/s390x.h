/*
 * s390x Linux system call numbers for the no-libc runtime
 * (arch/s390/kernel/syscalls/syscall.tbl, the 64-bit column).  Included by
 * s390x.S, so #defines only.
 *
 * s390x's mmap is the old call that takes one pointer to its six arguments
 * in memory; _initgate_syscall in s390x.S hides that, so callers pass mmap
 * six arguments as on every other architecture.
 */
#ifndef INITGATE_ARCH_H
#define INITGATE_ARCH_H

#define INITGATE_SYS_write		4
#define INITGATE_SYS_mmap		90
#define INITGATE_SYS_munmap		91
#define INITGATE_SYS_mprotect		125
#define INITGATE_SYS_futex		238
#define INITGATE_SYS_clone		120
#define INITGATE_SYS_exit		1
#define INITGATE_SYS_exit_group		248
#define INITGATE_SYS_gettid		236
#define INITGATE_SYS_getpid		20
#define INITGATE_SYS_tgkill		241
#define INITGATE_SYS_rt_sigprocmask	175

/* Optional: the runtime uses them when defined (durations, thread name). */
#define INITGATE_SYS_prctl		172
#define INITGATE_SYS_clock_gettime	260

#endif
