/*
 * The verdicts a decision returns, built in one place so that every
 * refusal carries the same fields (launcher/decide.c).
 */
#include <string.h>

#include "verdict.h"

void
verdict_ask(struct verdict *v, unsigned facts)
{
	v->kind = VERDICT_ASK;
	v->need = facts;
}

void
verdict_answer(struct verdict *v, enum wire_verdict w)
{
	v->kind = VERDICT_ANSWER;
	v->answer = w;
}

void
verdict_fail(struct verdict *v, int error)
{
	v->kind = VERDICT_DENY;
	v->error = error;
	v->gate = NULL;
}

void
verdict_refuse(struct verdict *v, const char *gate,
    const struct wire_name *name, pid_t peer_pid, long long peer_uid, int error)
{
	v->kind = VERDICT_DENY;
	v->error = error;
	v->gate = gate;
	/* The padding too: the bytes past a name are zero (wire_decode). */
	v->name = name->bytes;
	v->name_len = name->len + name->nuls;
	v->peer_pid = peer_pid;
	v->peer_uid = peer_uid;
}

void
verdict_refuse_because(struct verdict *v, const char *gate,
    const struct wire_name *name, int error, const char *reason)
{
	verdict_refuse(v, gate, name, 0, -1, error);
	strlcpy(v->reason, reason, sizeof(v->reason));
}
