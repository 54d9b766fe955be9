/*
 * Making a program's own loop turn under a flood of refused connections
 * (accept.c).  An event loop drains a non-blocking listener until EAGAIN;
 * outsiders that dial again as soon as they are refused could keep it
 * draining for ever.  After TURN_REFUSALS refusals in a row on one
 * thread, the gate answers EAGAIN instead, once it has queued a
 * connection of its own on the listener: that arrival wakes the loop
 * again, edge-triggered or not, so no connection left queued (a friend's
 * among them) waits for another to arrive.  The program accepts that
 * connection later as one whose peer has hung up, like a refused one.
 */
#ifndef CAPSHIM_TURN_H
#define CAPSHIM_TURN_H

#include <stdbool.h>

#define TURN_REFUSALS 16

/* A connection was admitted, or the queue was empty: a new run begins. */
void turn_reset(void);

/*
 * One more refusal on the listener fd (of wire socket type type): true
 * if the gate should answer EAGAIN now; a wake-up for the program is
 * queued on the listener then.
 */
bool turn_due(int fd, int type);

/* Is the connection fd one the gate queued for a wake-up?  (Consumes it.) */
bool turn_is_wakeup(int fd);

#endif
