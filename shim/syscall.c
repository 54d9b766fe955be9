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
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "accept.h"
#include "bind.h"
#include "compat.h"
#include "connect.h"
#include "descriptors.h"
#include "listen.h"
#include "pidns.h"
#include "rawsys.h"
#include "recv.h"
#include "sendto.h"

/* The socket calls, through their gates: true, *ret set, if number is one. */
static bool
socket_call(long number, const long a[6], long *ret)
{
	switch (number) {
	case SYS_bind:
		*ret = gate_bind((int)a[0], (const struct sockaddr *)a[1],
		    (socklen_t)a[2]);
		return true;
	case SYS_connect:
		*ret = gate_connect((int)a[0], (const struct sockaddr *)a[1],
		    (socklen_t)a[2]);
		return true;
	case SYS_listen:
		*ret = gate_listen((int)a[0], (int)a[1]);
		return true;
#ifdef SYS_accept
	case SYS_accept:
		*ret = gate_accept((int)a[0], (struct sockaddr *)a[1],
		    (socklen_t *)a[2], 0, true);
		return true;
#endif
	case SYS_accept4:
		*ret = gate_accept((int)a[0], (struct sockaddr *)a[1],
		    (socklen_t *)a[2], (int)a[3], true);
		return true;
	case SYS_sendto:
		*ret = gate_sendto((int)a[0], (const void *)a[1], (size_t)a[2],
		    (int)a[3], (const struct sockaddr *)a[4], (socklen_t)a[5]);
		return true;
	case SYS_sendmsg:
		*ret = gate_sendmsg((int)a[0], (const struct msghdr *)a[1],
		    (int)a[2]);
		return true;
	case SYS_sendmmsg:
		*ret = sendmmsg((int)a[0], (struct mmsghdr *)a[1],
		    (unsigned int)a[2], (int)a[3]);
		return true;
	}
	return false;
}

/* The receive calls (gated on a datagram socket): the same. */
static bool
receive_call(long number, const long a[6], long *ret)
{
	switch (number) {
	case SYS_recvfrom:
		*ret = gate_recvfrom((int)a[0], (void *)a[1], (size_t)a[2],
		    (int)a[3], (struct sockaddr *)a[4], (socklen_t *)a[5]);
		return true;
	case SYS_recvmsg:
		*ret = gate_recvmsg((int)a[0], (struct msghdr *)a[1],
		    (int)a[2]);
		return true;
	case SYS_recvmmsg:
		*ret = recvmmsg((int)a[0], (struct mmsghdr *)a[1],
		    (unsigned int)a[2], (int)a[3], (struct timespec *)a[4]);
		return true;
	case SYS_read:
		*ret = read((int)a[0], (void *)a[1], (size_t)a[2]);
		return true;
	case SYS_readv:
		*ret = readv((int)a[0], (const struct iovec *)a[1], (int)a[2]);
		return true;
	}
	return false;
}

/* The descriptor and exec calls: the same. */
static bool
process_call(long number, const long a[6], long *ret)
{
	switch (number) {
	case SYS_close:
		*ret = guard_close((int)a[0]);
		return true;
	case SYS_close_range:
		*ret = guard_close_range((unsigned)a[0], (unsigned)a[1],
		    (int)a[2]);
		return true;
#ifdef SYS_dup2
	case SYS_dup2:
		*ret = guard_dup2((int)a[0], (int)a[1]);
		return true;
#endif
	case SYS_dup3:
		*ret = guard_dup3((int)a[0], (int)a[1], (int)a[2]);
		return true;
	/* An exec is checked and gets the shim back, as through libc. */
	case SYS_execve:
		*ret = execve((const char *)a[0], (char *const *)a[1],
		    (char *const *)a[2]);
		return true;
	case SYS_execveat:
		*ret = execveat((int)a[0], (const char *)a[1],
		    (char *const *)a[2], (char *const *)a[3], (int)a[4]);
		return true;
	}
	return false;
}

long
syscall(long number, ...)
{
	long a[6], ret;
	va_list ap;

	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);

	pidns_watch_syscall(number, a);
	if (socket_call(number, a, &ret) || receive_call(number, a, &ret) ||
	    process_call(number, a, &ret))
		return ret;
	return capshim_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
