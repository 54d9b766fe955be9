/*
 * Building a verdict (struct verdict, decide.h): the helpers the
 * decisions of decide.c and decideadmit.c share, and the accept gate's
 * decision, which decide() hands WIRE_ADMIT to.
 */
#ifndef CAPWRAP_VERDICT_H
#define CAPWRAP_VERDICT_H

#include "decide.h"

/* Not decided yet: gather these facts (FACT_*) and decide again. */
void verdict_ask(struct verdict *, unsigned facts);
/* Answered with w, nothing audited. */
void verdict_answer(struct verdict *, enum wire_verdict w);
/* Refused with error, as the kernel would refuse: no audit record. */
void verdict_fail(struct verdict *, int error);
/* Refused by the policy: audited at gate, with the reason still to set. */
void verdict_refuse(struct verdict *, const char *gate,
    const struct wire_name *name, pid_t peer_pid, long long peer_uid,
    int error);
/* The same, with no peer, and its reason. */
void verdict_refuse_because(struct verdict *, const char *gate,
    const struct wire_name *name, int error, const char *reason);

void decide_admit(const struct ask *, const struct facts *, struct verdict *);

#endif
