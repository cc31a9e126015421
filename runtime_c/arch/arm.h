/*
 * 32-bit ARM (EABI) Linux system call numbers for the no-libc runtime
 * (arch/arm/tools/syscall.tbl).  Included by arm.S, so #defines only.
 *
 * INITGATE_SYS_mmap is mmap2: EABI has no plain mmap.  mmap2 takes six
 * registers like mmap elsewhere, but its offset counts 4096-byte units,
 * which INITGATE_MMAP_PGOFF says.
 */
#ifndef INITGATE_ARCH_H
#define INITGATE_ARCH_H

#define INITGATE_SYS_write		4
#define INITGATE_SYS_mmap		192	/* mmap2 */
#define INITGATE_MMAP_PGOFF		1
#define INITGATE_SYS_munmap		91
#define INITGATE_SYS_mprotect		125
#define INITGATE_SYS_futex		240
#define INITGATE_SYS_clone		120
#define INITGATE_SYS_exit		1
#define INITGATE_SYS_exit_group		248
#define INITGATE_SYS_gettid		224
#define INITGATE_SYS_getpid		20
#define INITGATE_SYS_tgkill		268
#define INITGATE_SYS_rt_sigprocmask	175

/*
 * Optional: the runtime uses them when defined (durations, thread name).
 * This clock_gettime is the 32-bit-time call, matching the runtime's
 * timespec of two longs.
 */
#define INITGATE_SYS_prctl		172
#define INITGATE_SYS_clock_gettime	263

#endif
