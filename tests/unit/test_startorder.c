/*
 * Unit tests of the start order (launcher/startorder.c): from a parsed
 * policy and the set of providers whose names are registered, which
 * services may start, which they wait for, and that a dial cycle starts
 * together.
 */
#include <stdio.h>
#include <string.h>

#include "startorder.h"
#include "tap.h"

#define MAXSVC 8

static struct policy *
parse(const char *text)
{
	size_t nerrors = 0;
	struct policy *p = policy_parse_buffer(text, strlen(text),
	    "test.policy", NULL, NULL, &nerrors);

	if (p == NULL || nerrors != 0) {
		printf("Bail out! policy did not parse\n");
		exit(1);
	}
	return p;
}

static size_t
idx(const struct policy *p, const char *name)
{
	return policy_service_index(p, policy_find_service(p, name));
}

/* The services taken now, by name, space-separated, into out. */
static const char *
take(struct startorder *o, const bool *registered, char *out, size_t len)
{
	size_t turn[MAXSVC], n = startorder_take(o, registered, turn);

	out[0] = '\0';
	for (size_t k = 0; k < n; k++) {
		if (k > 0)
			(void)strlcat(out, " ", len);
		(void)strlcat(out, o->policy->services[turn[k]].name, len);
	}
	return out;
}

static void
test_chain(void)
{
	struct policy *p = parse("service a {\n exec true\n dials b\n}\n"
				 "service b {\n exec true\n provides @b\n"
				 " dials c\n}\n"
				 "service c {\n exec true\n provides @c\n}\n"
				 "service d {\n exec true\n}\n");
	struct startorder o;
	bool reg[MAXSVC] = { false };
	char got[128];

	tap_ok(startorder_init(&o, p) == 0, "chain: init");
	tap_ok(startorder_waits_for(&o, idx(p, "a"), reg) == idx(p, "b"),
	    "chain: a waits for b");
	tap_ok(startorder_waits_for(&o, idx(p, "b"), reg) == idx(p, "c"),
	    "chain: b waits for c");
	tap_ok(startorder_waits_for(&o, idx(p, "c"), reg) == STARTORDER_NONE,
	    "chain: c dials nothing, waits for nothing");
	tap_ok(strcmp(take(&o, reg, got, sizeof(got)), "c d") == 0,
	    "chain: first c and d, which dial nothing (got \"%s\")", got);
	tap_ok(strcmp(take(&o, reg, got, sizeof(got)), "") == 0,
	    "chain: nothing more before c registers (got \"%s\")", got);
	reg[idx(p, "c")] = true;
	tap_ok(strcmp(take(&o, reg, got, sizeof(got)), "b") == 0,
	    "chain: b once c registered (got \"%s\")", got);
	reg[idx(p, "b")] = true;
	tap_ok(strcmp(take(&o, reg, got, sizeof(got)), "a") == 0,
	    "chain: a once b registered (got \"%s\")", got);
	tap_ok(!startorder_any_pending(&o), "chain: all started");
	/* Restarts do not go through the order: nothing is taken twice. */
	reg[idx(p, "c")] = false;
	tap_ok(strcmp(take(&o, reg, got, sizeof(got)), "") == 0,
	    "chain: a provider gone again takes nothing back");
	startorder_free(&o);
	policy_free(p);
}

static void
test_cycle(void)
{
	/* x <-> y a cycle that dials z outside it; w dials the cycle. */
	struct policy *p = parse("service w {\n exec true\n dials x\n}\n"
				 "service x {\n exec true\n provides @x\n"
				 " dials y\n}\n"
				 "service y {\n exec true\n provides @y\n"
				 " dials x z\n}\n"
				 "service z {\n exec true\n provides @z\n}\n");
	struct startorder o;
	bool reg[MAXSVC] = { false };
	char got[128];

	tap_ok(startorder_init(&o, p) == 0, "cycle: init");
	tap_ok(startorder_together(&o, idx(p, "x"), idx(p, "y")),
	    "cycle: x and y start together");
	tap_ok(!startorder_together(&o, idx(p, "w"), idx(p, "x")) &&
		!startorder_together(&o, idx(p, "y"), idx(p, "z")),
	    "cycle: w and z are not of it");
	tap_ok(startorder_waits_for(&o, idx(p, "x"), reg) == idx(p, "z"),
	    "cycle: x waits for what y dials outside the cycle");
	tap_ok(strcmp(take(&o, reg, got, sizeof(got)), "z") == 0,
	    "cycle: z first (got \"%s\")", got);
	reg[idx(p, "z")] = true;
	tap_ok(strcmp(take(&o, reg, got, sizeof(got)), "x y") == 0,
	    "cycle: x and y at once, neither registered (got \"%s\")", got);
	tap_ok(strcmp(take(&o, reg, got, sizeof(got)), "") == 0,
	    "cycle: w waits for x (got \"%s\")", got);
	{
		size_t out[MAXSVC];

		tap_ok(startorder_untold(&o, out) == 1 && out[0] == idx(p, "w"),
		    "cycle: w untold, once");
		tap_ok(startorder_untold(&o, out) == 0,
		    "cycle: then none untold");
	}
	reg[idx(p, "x")] = true;
	tap_ok(strcmp(take(&o, reg, got, sizeof(got)), "w") == 0,
	    "cycle: w once x registered (got \"%s\")", got);
	startorder_free(&o);
	policy_free(p);
}

static void
test_self_and_pair(void)
{
	struct policy *p = parse("service s {\n exec true\n provides @s\n"
				 " dials s\n}\n"
				 "service a {\n exec true\n provides @a\n"
				 " dials b\n}\n"
				 "service b {\n exec true\n provides @b\n"
				 " dials a\n}\n");
	struct startorder o;
	bool reg[MAXSVC] = { false };
	char got[128];

	tap_ok(startorder_init(&o, p) == 0, "pair: init");
	tap_ok(strcmp(take(&o, reg, got, sizeof(got)), "s a b") == 0,
	    "pair: a service dialing itself, and a<->b, start at once "
	    "(got \"%s\")",
	    got);
	startorder_free(&o);
	policy_free(p);
}

static void
test_waiting_on(void)
{
	struct policy *p = parse("service p {\n exec true\n provides @p\n}\n"
				 "service q {\n exec true\n provides @q\n}\n"
				 "service c {\n exec true\n dials q p\n}\n"
				 "service e {\n exec true\n dials p\n}\n");
	struct startorder o;
	bool reg[MAXSVC] = { false };
	size_t out[MAXSVC], n;
	char got[128];

	tap_ok(startorder_init(&o, p) == 0, "waiting: init");
	(void)take(&o, reg, got, sizeof(got));
	tap_ok(strcmp(got, "p q") == 0, "waiting: providers first");
	n = startorder_waiting_on(&o, idx(p, "p"), reg, out);
	tap_ok(n == 2 && out[0] == idx(p, "c") && out[1] == idx(p, "e"),
	    "waiting: c and e wait for p (c waits for q first too)");
	n = startorder_waiting_on(&o, idx(p, "p"), reg, out);
	tap_ok(n == 0, "waiting: each told once");
	n = startorder_waiting_on(&o, idx(p, "q"), reg, out);
	tap_ok(n == 0, "waiting: c already told, not again for q");
	reg[idx(p, "q")] = true;
	n = startorder_waiting_on(&o, idx(p, "q"), reg, out);
	tap_ok(n == 0, "waiting: none for a registered provider");
	tap_ok(startorder_untold(&o, out) == 0, "waiting: none left untold");
	reg[idx(p, "p")] = true;
	(void)take(&o, reg, got, sizeof(got));
	tap_ok(strcmp(got, "c e") == 0, "waiting: both start once p registers");
	startorder_free(&o);
	policy_free(p);
}

int
main(void)
{
	test_chain();
	test_cycle();
	test_self_and_pair();
	test_waiting_on();
	return tap_done();
}
