/*
 * ppc64le Linux system call numbers for the no-libc runtime
 * (arch/powerpc/kernel/syscalls/syscall.tbl, the 64-bit column).  Included
 * by ppc64le.S, so #defines only.
 */
#ifndef INITGATE_ARCH_H
#define INITGATE_ARCH_H

#define INITGATE_SYS_write		4
#define INITGATE_SYS_mmap		90
#define INITGATE_SYS_munmap		91
#define INITGATE_SYS_mprotect		125
#define INITGATE_SYS_futex		221
#define INITGATE_SYS_clone		120
#define INITGATE_SYS_exit		1
#define INITGATE_SYS_exit_group		234
#define INITGATE_SYS_gettid		207
#define INITGATE_SYS_getpid		20
#define INITGATE_SYS_tgkill		250
#define INITGATE_SYS_rt_sigprocmask	174

/* Optional: the runtime uses them when defined (durations, thread name). */
#define INITGATE_SYS_prctl		171
#define INITGATE_SYS_clock_gettime	246

#endif
