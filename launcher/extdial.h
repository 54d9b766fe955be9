/*
 * External names dialed for a service in the topology's Landlock domain
 * (WIRE_EXTDIAL, wire.h): decided as the WIRE_DIAL it stands for, and
 * connected by the launcher, outside the domain.
 */
#ifndef CAPWRAP_EXTDIAL_H
#define CAPWRAP_EXTDIAL_H

#include <stdbool.h>

#include "decide.h"
#include "request.h"

/* The dial an EXTDIAL stands for: its type and name, never waiting. */
void extdial_as_dial(const union wire_msg *in, union wire_msg *dial);

/*
 * Carry out the verdict on the dial that rq (its msg the dial) stands
 * for.  Returns true when answered here: the socket connected, or the
 * connect's error.  False leaves v, a refusal now, to the broker, which
 * audits it: a name that is not external, or one this service must
 * dial itself (it is outside the domain, or runs as another user or
 * group, whom the launcher's credentials must not stand for).
 */
bool extdial_carry_out(const struct request *rq, const struct policy *pol,
    struct verdict *v);

#endif
