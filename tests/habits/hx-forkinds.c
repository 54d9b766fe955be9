/*
 * hx-forkinds NAME KIND
 * A client that dials NAME ten times (granted, then from its own
 * capability, enough for the shim to cache its pid: shim/selfpid.c) and
 * then makes a child of KIND that dials NAME once:
 *   fork       fork()
 *   vfork      vfork(), the child dials before it exits
 *   clone      libc's clone(CLONE_VM) on a stack of its own
 *   rawclone   a clone(CLONE_VM | CLONE_VFORK) system call made by an
 *              inline instruction, which no preload library sees
 *              (x86-64 only: elsewhere it prints "rawclone unsupported")
 * then dials once more itself.  Prints "parent dialed", "KIND child PID:
 * ok" or "KIND child PID: ERRNO-NAME", "parent dialed again"; exits 0
 * unless the parent's own dials fail.
 */
#include <sys/syscall.h>
#include <sys/wait.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "hx.h"

/* More than the dials the shim makes before it caches its pid. */
#define PARENT_DIALS 10

static const char *name, *kind;
static char child_stack[256 * 1024] __attribute__((aligned(16)));

/* One dial as pid: 0, or the errno of the step that failed. */
static int
dial_as_me(void)
{
	char msg[64], want[80], reply[600];
	int e;

	snprintf(msg, sizeof(msg), "%s %d", kind, (int)getpid());
	snprintf(want, sizeof(want), "echo %s", msg);
	e = hx_dial(name, msg, reply, sizeof(reply));
	if (e == 0 && strcmp(reply, want) != 0)
		e = EPROTO;
	return e;
}

static int
child_dials(void)
{
	int e = dial_as_me();

	fx_say("%s child %d: %s", kind, (int)getpid(),
	    e ? hx_errname(e) : "ok");
	return e ? FX_IO : FX_OK;
}

static int
clone_child(void *arg)
{
	(void)arg;
	return child_dials();
}

#if defined(__x86_64__)
/* clone(flags, stack) by a syscall instruction; the child calls fn on the
 * new stack and exits with its result. */
static long
raw_clone(unsigned long flags, void *stack_top, int (*fn)(void))
{
	register long r10 __asm__("r10") = 0;
	register long r8 __asm__("r8") = 0;
	register int (*r12)(void) __asm__("r12") = fn;
	long ret;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "call *%%r12\n\t"
			 "mov %%eax, %%edi\n\t"
			 "mov %[exit], %%eax\n\t"
			 "syscall\n\t"
			 "1:\n\t"
			 : "=a"(ret)
			 : "0"((long)SYS_clone), "D"(flags), "S"(stack_top),
			 "d"(0L), "r"(r10), "r"(r8),
			 "r"(r12), [exit] "i"(SYS_exit)
			 : "rcx", "r11", "memory");
	return ret;
}
#endif

static pid_t
make_child(void)
{
	void *top = child_stack + sizeof(child_stack);
	pid_t pid;

	if (strcmp(kind, "fork") == 0 || strcmp(kind, "vfork") == 0) {
		pid = strcmp(kind, "fork") == 0 ? fork() : vfork();
		if (pid == 0)
			_exit(child_dials());
		return pid;
	}
	if (strcmp(kind, "clone") == 0)
		return clone(clone_child, top, CLONE_VM | SIGCHLD, NULL);
#if defined(__x86_64__)
	if (strcmp(kind, "rawclone") == 0)
		return (pid_t)raw_clone(CLONE_VM | CLONE_VFORK | SIGCHLD, top,
		    child_dials);
#endif
	fx_say("%s unsupported", kind);
	exit(FX_USAGE);
}

int
main(int argc, char **argv)
{
	int status, e;
	pid_t pid;

	if (argc != 3) {
		fprintf(stderr, "usage: hx-forkinds NAME KIND\n");
		return FX_USAGE;
	}
	name = argv[1];
	kind = argv[2];
	/* Granted, then from the capability held: the pid is cached. */
	for (int i = 0; i < PARENT_DIALS; i++)
		if ((e = dial_as_me()) != 0) {
			fx_say("FAIL parent dial: %s", hx_errname(e));
			return FX_IO;
		}
	fx_say("parent dialed");
	pid = make_child();
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		fx_say("FAIL child: %s", hx_errname(errno));
		return FX_IO;
	}
	if ((e = dial_as_me()) != 0) {
		fx_say("FAIL parent dial again: %s", hx_errname(e));
		return FX_IO;
	}
	fx_say("parent dialed again");
	return FX_OK;
}
