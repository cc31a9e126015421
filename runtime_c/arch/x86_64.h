/*
 * x86_64 Linux system call numbers for the no-libc runtime
 * (arch/x86_64/entry/syscalls/syscall_64.tbl).  Only #defines: x86_64.S
 * includes this file too.
 */
#ifndef INITGATE_ARCH_X86_64_H
#define INITGATE_ARCH_X86_64_H

#define INITGATE_SYS_write		1
#define INITGATE_SYS_mmap		9
#define INITGATE_SYS_mprotect		10
#define INITGATE_SYS_munmap		11
#define INITGATE_SYS_rt_sigprocmask	14
#define INITGATE_SYS_getpid		39
#define INITGATE_SYS_clone		56
#define INITGATE_SYS_exit		60
#define INITGATE_SYS_gettid		186
#define INITGATE_SYS_futex		202
#define INITGATE_SYS_exit_group		231
#define INITGATE_SYS_tgkill		234

/* Optional: the runtime uses them when defined (durations, thread name). */
#define INITGATE_SYS_prctl		157
#define INITGATE_SYS_clock_gettime	228

#endif
