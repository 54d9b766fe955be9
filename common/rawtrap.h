/*
 * A system call made by the instruction itself, past every symbol: the
 * shim hooks syscall(3), close() and the rest, so its own calls cannot go
 * through them (shim/rawsys.c), and the attack tests use the same
 * instruction to act past the shim.  RAWTRAP is defined where there is
 * one here; the answer is the kernel's (a negative errno on failure).
 */
#ifndef CAPWRAP_RAWTRAP_H
#define CAPWRAP_RAWTRAP_H

#if defined(__x86_64__)
#define RAWTRAP 1
static inline long
rawtrap(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			 "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
#define RAWTRAP 1
static inline long
rawtrap(long n, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory", "cc");
	return x0;
}
#endif

#endif
