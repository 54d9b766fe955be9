/*
 * The world test_decide.c judges in: a policy, the facts the broker
 * would find were it asked, and checks of the verdicts.
 */
#ifndef CAPWRAP_JUDGE_H
#define CAPWRAP_JUDGE_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "image.h"
#include "policy.h"
#include "sockdiag.h"
#include "tap.h"
#include "wire.h"

/*
 * db provides two names and is dialed by web; open is unprotected; lone
 * dials nothing.
 */
static const char policy_text[] =
    "service db {\n exec db\n provides @db @dg\n}\n"
    "service web {\n exec web\n provides @web\n dials db open\n}\n"
    "service open {\n exec open\n provides @open\n unprotected\n}\n"
    "service lone {\n exec lone\n}\n"
    "external @ext\n";

enum { DB, WEB, OPEN, LONE };

static struct policy *pol;
static const struct limits limits = {
	.dial_timeout_ms = 1000,
	.pending_per_process = 2,
	.pending_per_service = 3,
};

/* What the broker would find, were it asked; and what it was asked. */
static struct facts world;
static unsigned asked;

static void
reveal(struct facts *f, unsigned need)
{
	if (need & (FACT_NAME_OPEN | FACT_NAME_HELD))
		f->reg = world.reg;
	if (need & FACT_BOUND)
		f->bound = world.bound;
	if (need & FACT_PENDING) {
		f->pending_proc = world.pending_proc;
		f->pending_service = world.pending_service;
	}
	if (need & FACT_PEER)
		f->peer = world.peer;
	if (need & FACT_FROM_PROVIDER)
		f->from_provider = world.from_provider;
	if (need & FACT_EXITED_GRANT)
		f->exited_grant = world.exited_grant;
	if (need & FACT_AT_ADDR) {
		f->at_addr = world.at_addr;
		f->at_addr_open = world.at_addr_open;
	}
	f->known |= need;
}

/* Decide m from service self as the broker does, answering every question. */
static void
judge(size_t self, const union wire_msg *m, struct verdict *v)
{
	struct ask q = { .pol = pol,
		.limits = &limits,
		.self = self,
		.msg = m };
	struct facts f = { .asker_gone = world.asker_gone,
		.asker_stopping = world.asker_stopping,
		.may_defer = world.may_defer };

	asked = 0;
	for (int i = 0; i < 16; i++) {
		decide(&q, &f, v);
		if (v->kind != VERDICT_ASK)
			return;
		if (v->need == 0 || (v->need & f.known) != 0)
			break;
		asked |= v->need;
		reveal(&f, v->need);
	}
	tap_ok(0, "a decision asks each fact once, and ends");
}

static void
reset_world(void)
{
	memset(&world, 0, sizeof(world));
	world.may_defer = true;
	world.bound = 1;
}

static union wire_msg
named(enum wire_type type, const char *name)
{
	union wire_msg m;
	struct wire_name *n;

	wire_init(&m, type);
	switch (type) {
	case WIRE_BIND:
		n = &m.bind.name;
		break;
	case WIRE_LISTEN:
		n = &m.listen.name;
		break;
	case WIRE_DIAL:
		n = &m.dial.name;
		break;
	case WIRE_CLAIM:
		n = &m.claim.name;
		break;
	case WIRE_ADMIT:
		n = &m.admit.name;
		break;
	case WIRE_REPORT:
		n = &m.report.name;
		break;
	default:
		abort();
	}
	if (wire_set_name(n, name, strlen(name)) != 0)
		abort();
	return m;
}

/* The verdict is a refusal with error, audited at gate for reason. */
static void
expect_refusal(const char *what, const struct verdict *v, const char *gate,
    int error, pid_t peer_pid, long long peer_uid, const char *reason)
{
	tap_ok(v->kind == VERDICT_DENY && v->error == error,
	    "%s: refused with errno %d (got kind %d, errno %d)", what, error,
	    (int)v->kind, v->error);
	tap_ok(v->gate != NULL && strcmp(v->gate, gate) == 0 &&
		v->peer_pid == peer_pid && v->peer_uid == peer_uid,
	    "%s: audited at the %s gate, peer %d uid %lld", what, gate,
	    (int)peer_pid, peer_uid);
	if (!tap_ok(strcmp(v->reason, reason) == 0, "%s: reason", what))
		printf("# expected: %s\n# got:      %s\n", reason, v->reason);
}

/* The verdict is a refusal with error that is no policy's: not audited. */
static void
expect_failure(const char *what, const struct verdict *v, int error)
{
	tap_ok(v->kind == VERDICT_DENY && v->error == error && v->gate == NULL,
	    "%s: errno %d, not audited (got kind %d, errno %d)", what, error,
	    (int)v->kind, v->error);
}

static void
expect_answer(const char *what, const struct verdict *v,
    enum wire_verdict answer)
{
	tap_ok(v->kind == VERDICT_ANSWER && v->answer == answer,
	    "%s: answered %d (got kind %d, answer %d)", what, (int)answer,
	    (int)v->kind, (int)v->answer);
}

static void
expect_asked(const char *what, unsigned facts)
{
	tap_ok(asked == facts, "%s: asked for facts %#x (got %#x)", what, facts,
	    asked);
}

/* Parse the policy; false (and a failed test) if it does not parse. */
static bool
judge_init(void)
{
	size_t nerrors;

	pol = policy_parse_buffer(policy_text, sizeof(policy_text) - 1,
	    "t.policy", NULL, NULL, &nerrors);
	return tap_ok(pol != NULL && pol->nservices == 4, "the policy parses");
}

#endif
