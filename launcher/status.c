/*
 * capwrap status: the counters the broker keeps for it and their
 * rendering, as text for a person or as one JSON object (capwrap(1)
 * documents its schema; fields are only ever added).
 */
#include <sys/types.h>
#include <sys/wait.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auditwrite.h"
#include "loop.h"
#include "registry.h"
#include "reload.h"
#include "service.h"
#include "status.h"
#include "supervise.h"
#include "termsafe.h"

#define STATUS_TEXT_MAX 160

struct refusal_kind {
	char gate[16];
	char reason[STATUS_TEXT_MAX];
	uint64_t count;
};

struct counters {
	uint64_t grants;
	uint64_t ends;
	struct refusal_kind kinds[STATUS_REFUSAL_KINDS];
	size_t nkinds;
	uint64_t other; /* refusals of kinds beyond the table */
};

static struct counters *counters;
static size_t ncounters;

/* The counters of service, the table grown to hold it; NULL: no memory. */
static struct counters *
counters_of(size_t service)
{
	struct counters *c;

	if (service < ncounters)
		return &counters[service];
	c = reallocarray(counters, service + 1, sizeof(*c));
	if (c == NULL)
		return NULL;
	memset(c + ncounters, 0, (service + 1 - ncounters) * sizeof(*c));
	counters = c;
	ncounters = service + 1;
	return &counters[service];
}

void
status_note_grant(size_t service)
{
	struct counters *c = counters_of(service);

	if (c != NULL)
		c->grants++;
}

void
status_note_end(size_t service)
{
	struct counters *c = counters_of(service);

	if (c != NULL)
		c->ends++;
	reload_service_ended(service);
}

void
status_note_refusal(size_t service, const char *gate, const char *reason)
{
	struct counters *c = counters_of(service);
	struct refusal_kind *k;

	if (c == NULL || gate == NULL)
		return;
	if (reason == NULL)
		reason = "";
	for (size_t i = 0; i < c->nkinds; i++) {
		k = &c->kinds[i];
		if (strcmp(k->gate, gate) == 0 &&
		    strncmp(k->reason, reason, sizeof(k->reason) - 1) == 0) {
			k->count++;
			return;
		}
	}
	if (c->nkinds == STATUS_REFUSAL_KINDS) {
		c->other++;
		return;
	}
	k = &c->kinds[c->nkinds++];
	(void)strlcpy(k->gate, gate, sizeof(k->gate));
	(void)strlcpy(k->reason, reason, sizeof(k->reason));
	k->count = 1;
}

const char *
status_state(size_t i)
{
	size_t n;
	struct service_rt *s = supervise_services(&n, NULL) + i;
	const struct counters *c = i < ncounters ? &counters[i] : NULL;

	if (reload_is_stopping(i) ||
	    (supervise_stopping() && service_is_running(s)))
		return "stopping";
	if (service_is_running(s)) {
		if (s->ps->nprovides > 0 && !s->ps->unprotected && !s->ready)
			return "starting";
		return "running";
	}
	if (s->restart_at >= 0)
		return "backoff";
	if (c != NULL && c->ends > 0 && service_status_code(s) != 0)
		return "failed";
	return "stopped";
}

void
status_free(void)
{
	free(counters);
	counters = NULL;
	ncounters = 0;
}

/* --- rendering ------------------------------------------------------------ */

/* A JSON string, quotes included. */
static void
put_json(FILE *f, const char *s)
{
	char buf[4 * POLICY_NAME_TEXT_MAX];

	(void)audit_json_escape(buf, sizeof(buf), s, strlen(s));
	fprintf(f, "\"%s\"", buf);
}

/* An abstract address, the leading NUL as '@'. */
static void
addr_text(const uint8_t *addr, size_t len, char out[POLICY_NAME_TEXT_MAX])
{
	if (len == 0 || addr[0] != '\0') {
		(void)strlcpy(out, "-", POLICY_NAME_TEXT_MAX);
		return;
	}
	(void)policy_name_text(addr + 1, len - 1, out);
}

struct reg_walk {
	FILE *f;
	size_t service;
	bool json;
	size_t n;
};

static void
put_registration(const struct registration *r, void *ctx)
{
	struct reg_walk *w = ctx;
	char name[POLICY_NAME_TEXT_MAX], addr[POLICY_NAME_TEXT_MAX];

	if (r->service != w->service || !r->dialable)
		return;
	(void)policy_name_text(r->name.bytes, r->name.len, name);
	addr_text(r->addr, r->addr_len, addr);
	if (!w->json) {
		fprintf(w->f, "  name %s at %s (pid %d)\n", name, addr,
		    r->owner != NULL ? (int)r->owner->pid : 0);
		return;
	}
	fprintf(w->f, "%s{\"name\":", w->n++ ? "," : "");
	put_json(w->f, name);
	fprintf(w->f, ",\"address\":");
	put_json(w->f, addr);
	fprintf(w->f, ",\"pid\":%d}",
	    r->owner != NULL ? (int)r->owner->pid : 0);
}

/* The main process's pid and every adopted daemon's, "," apart. */
static void
put_pids(FILE *f, const struct service_rt *s, const char *sep)
{
	size_t n = 0;

	if (s->main_alive)
		fprintf(f, "%d", (int)s->pid), n++;
	for (size_t k = 0; k < s->ndaemons; k++)
		fprintf(f, "%s%d", n++ ? sep : "", (int)s->daemons[k]);
	if (n == 0 && sep[0] == ' ')
		fprintf(f, "-");
}

static uint64_t
restarts_of(const struct service_rt *s, const struct counters *c)
{
	uint64_t starts = c->ends + (service_is_running(s) ? 1 : 0);

	return starts > 0 ? starts - 1 : 0;
}

static long long
uptime_of(const struct service_rt *s)
{
	if (!service_is_running(s))
		return 0;
	return (long long)((loop_now_ms() - s->started_ms) / 1000);
}

static void
put_text(FILE *f, size_t i, const struct service_rt *s,
    const struct counters *c)
{
	struct reg_walk w = { .f = f, .service = i };

	fprintf(f, "%s: %s, pids ", s->ps->name, status_state(i));
	put_pids(f, s, " ");
	fprintf(f, ", up %llds, restarts %llu, last exit ", uptime_of(s),
	    (unsigned long long)restarts_of(s, c));
	if (c->ends == 0)
		fprintf(f, "-");
	else if (WIFSIGNALED(s->status))
		fprintf(f, "signal %d", WTERMSIG(s->status));
	else
		fprintf(f, "status %d", service_status_code(s));
	fprintf(f, ", grants %llu\n", (unsigned long long)c->grants);
	registry_each_registration(put_registration, &w);
	for (size_t k = 0; k < c->nkinds; k++) {
		/* A reason may quote what a peer chose: never raw on a tty. */
		char safe[4 * STATUS_TEXT_MAX];

		(void)termsafe_escape(safe, sizeof(safe), c->kinds[k].reason,
		    strlen(c->kinds[k].reason));
		fprintf(f, "  refused %llu at %s: %s\n",
		    (unsigned long long)c->kinds[k].count, c->kinds[k].gate,
		    safe);
	}
	if (c->other > 0)
		fprintf(f, "  refused %llu more of other kinds\n",
		    (unsigned long long)c->other);
}

static void
put_json_service(FILE *f, size_t i, const struct service_rt *s,
    const struct counters *c)
{
	struct reg_walk w = { .f = f, .service = i, .json = true };

	fprintf(f, "{\"name\":");
	put_json(f, s->ps->name);
	fprintf(f, ",\"state\":\"%s\",\"pids\":[", status_state(i));
	put_pids(f, s, ",");
	fprintf(f, "],\"uptime_s\":%lld,\"restarts\":%llu,\"last_exit\":",
	    uptime_of(s), (unsigned long long)restarts_of(s, c));
	if (c->ends == 0)
		fprintf(f, "null");
	else if (WIFSIGNALED(s->status))
		fprintf(f, "{\"signal\":%d}", WTERMSIG(s->status));
	else
		fprintf(f, "{\"status\":%d}", service_status_code(s));
	fprintf(f, ",\"registrations\":[");
	registry_each_registration(put_registration, &w);
	fprintf(f, "],\"grants\":%llu,\"refusals\":[",
	    (unsigned long long)c->grants);
	for (size_t k = 0; k < c->nkinds; k++) {
		fprintf(f, "%s{\"gate\":\"%s\",\"reason\":", k ? "," : "",
		    c->kinds[k].gate);
		put_json(f, c->kinds[k].reason);
		fprintf(f, ",\"count\":%llu}",
		    (unsigned long long)c->kinds[k].count);
	}
	fprintf(f, "],\"other_refusals\":%llu}", (unsigned long long)c->other);
}

void
status_render(FILE *f, bool json, const char *name)
{
	size_t n, shown = 0;
	struct service_rt *svc = supervise_services(&n, NULL);
	static const struct counters none;

	if (json) {
		fprintf(f, "{\"version\":1,\"name\":");
		put_json(f, name);
		fprintf(f, ",\"pid\":%d,\"services\":[", (int)getpid());
	}
	for (size_t i = 0; i < n; i++) {
		const struct counters *c = counters_of(i);

		if (reload_is_removed(i))
			continue;
		if (c == NULL)
			c = &none;
		if (json) {
			if (shown++)
				fputc(',', f);
			put_json_service(f, i, &svc[i], c);
		} else
			put_text(f, i, &svc[i], c);
	}
	if (json)
		fprintf(f, "]}\n");
}
