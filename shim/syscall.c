/*
 * syscall(2): a program that makes its socket calls through syscall()
 * rather than the libc wrappers (old libuv did, for accept4) goes through
 * the very same gates.  Every other number is forwarded with all six
 * arguments untouched.  An inline system-call instruction is beyond any
 * preload library; see the limits in capwrap(1).
 */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "accept.h"
#include "bind.h"
#include "connect.h"
#include "descriptors.h"
#include "listen.h"
#include "rawsys.h"
#include "recv.h"
#include "sendto.h"

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

long
syscall(long number, ...)
{
	long a[6];
	va_list ap;

	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);

	switch (number) {
	case SYS_bind:
		return gate_bind((int)a[0], (const struct sockaddr *)a[1],
		    (socklen_t)a[2]);
	case SYS_connect:
		return gate_connect((int)a[0], (const struct sockaddr *)a[1],
		    (socklen_t)a[2]);
	case SYS_listen:
		return gate_listen((int)a[0], (int)a[1]);
#ifdef SYS_accept
	case SYS_accept:
		return gate_accept((int)a[0], (struct sockaddr *)a[1],
		    (socklen_t *)a[2], 0, true);
#endif
	case SYS_accept4:
		return gate_accept((int)a[0], (struct sockaddr *)a[1],
		    (socklen_t *)a[2], (int)a[3], true);
	case SYS_sendto:
		return gate_sendto((int)a[0], (const void *)a[1], (size_t)a[2],
		    (int)a[3], (const struct sockaddr *)a[4], (socklen_t)a[5]);
	case SYS_sendmsg:
		return gate_sendmsg((int)a[0], (const struct msghdr *)a[1],
		    (int)a[2]);
	case SYS_recvfrom:
		return gate_recvfrom((int)a[0], (void *)a[1], (size_t)a[2],
		    (int)a[3], (struct sockaddr *)a[4], (socklen_t *)a[5]);
	case SYS_recvmsg:
		return gate_recvmsg((int)a[0], (struct msghdr *)a[1], (int)a[2]);
	case SYS_recvmmsg:
		return recvmmsg((int)a[0], (struct mmsghdr *)a[1],
		    (unsigned int)a[2], (int)a[3], (struct timespec *)a[4]);
	case SYS_sendmmsg:
		return sendmmsg((int)a[0], (struct mmsghdr *)a[1],
		    (unsigned int)a[2], (int)a[3]);
	case SYS_read:
		return read((int)a[0], (void *)a[1], (size_t)a[2]);
	case SYS_readv:
		return readv((int)a[0], (const struct iovec *)a[1], (int)a[2]);
	case SYS_close:
		return guard_close((int)a[0]);
	case SYS_close_range:
		return guard_close_range((unsigned)a[0], (unsigned)a[1],
		    (int)a[2]);
#ifdef SYS_dup2
	case SYS_dup2:
		return guard_dup2((int)a[0], (int)a[1]);
#endif
	case SYS_dup3:
		return guard_dup3((int)a[0], (int)a[1], (int)a[2]);
	/* An exec is checked and gets the shim back, as through libc. */
	case SYS_execve:
		return execve((const char *)a[0], (char *const *)a[1],
		    (char *const *)a[2]);
	case SYS_execveat:
		return execveat((int)a[0], (const char *)a[1],
		    (char *const *)a[2], (char *const *)a[3], (int)a[4]);
	}
	return capshim_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
