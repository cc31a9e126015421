/*
 * aarch64 Linux system call numbers for the no-libc runtime: the kernel's
 * generic table (include/uapi/asm-generic/unistd.h).  Included by
 * aarch64.S, so #defines only.
 */
#ifndef INITGATE_ARCH_H
#define INITGATE_ARCH_H

#define INITGATE_SYS_write		64
#define INITGATE_SYS_mmap		222
#define INITGATE_SYS_munmap		215
#define INITGATE_SYS_mprotect		226
#define INITGATE_SYS_futex		98
#define INITGATE_SYS_clone		220
#define INITGATE_SYS_exit		93
#define INITGATE_SYS_exit_group		94
#define INITGATE_SYS_gettid		178
#define INITGATE_SYS_getpid		172
#define INITGATE_SYS_tgkill		131
#define INITGATE_SYS_rt_sigprocmask	135

/* Optional: the runtime uses them when defined (durations, thread name). */
#define INITGATE_SYS_prctl		167
#define INITGATE_SYS_clock_gettime	113

#endif
