/*
 * What the launcher reads about a process: its pidfd and the identity
 * behind it, its start time, and for the audit its executable and
 * command line.
 */
#ifndef CAPWRAP_PROCINFO_H
#define CAPWRAP_PROCINFO_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int procinfo_pidfd_open(pid_t pid);
/* The pidfs inode of a pidfd, or 0 where the kernel has no pidfs. */
uint64_t procinfo_pidfd_ino(int pidfd);
/* True if the process behind pidfd has exited. */
bool procinfo_pidfd_exited(int pidfd);
/* /proc/PID/stat start time, 0 if unreadable. */
uint64_t procinfo_start_time(pid_t pid);
/* /proc/PID/exe into buf ("" if unreadable). */
void procinfo_exe(pid_t pid, char *buf, size_t size);
/* /proc/PID/cmdline with NULs as spaces into buf ("" if unreadable). */
void procinfo_cmdline(pid_t pid, char *buf, size_t size);

#endif
