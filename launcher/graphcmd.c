/*
 * capwrap graph: the topology of a policy as Graphviz DOT, optionally with
 * the refusals of an audit log drawn over it.  Services are boxes labelled
 * with the names they provide, `dials` are solid edges, external names sit
 * apart in a cluster of their own; from the audit, intruders are red
 * octagons and refused attempts red dashed edges counted; a filesystem
 * socket a service listens on, which capwrap does not protect, is an
 * orange note.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auditread.h"
#include "cli.h"
#include "exitcodes.h"

/* A node the audit brings in: an intruder, a name nobody provides, a service of
 * another policy. */
struct extra_node {
	char *key;
	/* 'i' intruder, 'n' name, 'u' unknown service, 'f' filesystem socket */
	char kind;
	char *from; /* 'f': the id of the service that listens on it */
	long long pids[4];
	size_t npids;
	bool more_pids;
	long long uid;
};

struct refused_edge {
	char *from, *to; /* node ids */
	char *label;
	long long count;
};

struct graph {
	const struct policy *policy;
	struct extra_node *nodes;
	size_t nnodes;
	struct refused_edge *edges;
	size_t nedges;
	bool oom;
};

static char *
dup_string(struct graph *g, const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		g->oom = true;
	return d;
}

/* Text inside a DOT double-quoted string: quote and backslash escaped. */
static void
dot_text(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
}

static void
name_text(const struct policy_name *n, char out[POLICY_NAME_TEXT_MAX])
{
	policy_name_text(n->bytes, n->len, out);
}

/* The node id of an extra node, made on first use; NULL when out of memory. */
static char *
extra_node(struct graph *g, char kind, const char *key)
{
	struct extra_node *n;
	char id[32];

	for (size_t i = 0; i < g->nnodes; i++) {
		if (g->nodes[i].kind == kind &&
		    strcmp(g->nodes[i].key, key) == 0) {
			snprintf(id, sizeof(id), "%c%zu", kind, i);
			return dup_string(g, id);
		}
	}
	n = reallocarray(g->nodes, g->nnodes + 1, sizeof(*n));
	if (n == NULL) {
		g->oom = true;
		return NULL;
	}
	g->nodes = n;
	n = &g->nodes[g->nnodes];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->uid = -1;
	if ((n->key = dup_string(g, key)) == NULL)
		return NULL;
	snprintf(id, sizeof(id), "%c%zu", kind, g->nnodes);
	g->nnodes++;
	return dup_string(g, id);
}

static struct extra_node *
node_by_id(struct graph *g, const char *id)
{
	size_t i = (size_t)strtoul(id + 1, NULL, 10);

	return i < g->nnodes ? &g->nodes[i] : NULL;
}

static void
note_peer(struct graph *g, const char *id, const struct audit_record *rec)
{
	struct extra_node *n = node_by_id(g, id);

	if (n == NULL)
		return;
	if (rec->peer_uid >= 0)
		n->uid = rec->peer_uid;
	if (rec->peer_pid < 0)
		return;
	for (size_t i = 0; i < n->npids; i++)
		if (n->pids[i] == rec->peer_pid)
			return;
	if (n->npids < sizeof(n->pids) / sizeof(n->pids[0]))
		n->pids[n->npids++] = rec->peer_pid;
	else
		n->more_pids = true;
}

static void
add_edge(struct graph *g, char *from, char *to, const char *label,
    long long count)
{
	struct refused_edge *e;

	if (from == NULL || to == NULL)
		goto out;
	for (size_t i = 0; i < g->nedges; i++) {
		e = &g->edges[i];
		if (strcmp(e->from, from) == 0 && strcmp(e->to, to) == 0 &&
		    strcmp(e->label, label) == 0) {
			e->count += count;
			goto out;
		}
	}
	e = reallocarray(g->edges, g->nedges + 1, sizeof(*e));
	if (e == NULL) {
		g->oom = true;
		goto out;
	}
	g->edges = e;
	e = &g->edges[g->nedges];
	e->from = from;
	e->to = to;
	e->count = count;
	if ((e->label = dup_string(g, label)) == NULL)
		goto out;
	g->nedges++;
	return;
out:
	free(from);
	free(to);
}

/* The node of a service named in a record: its own, or one for a stranger. */
static char *
service_node(struct graph *g, const char *name)
{
	const struct policy_service *s = policy_find_service(g->policy, name);
	char id[32];

	if (s == NULL)
		return extra_node(g, 'u', name);
	snprintf(id, sizeof(id), "s%zu", policy_service_index(g->policy, s));
	return dup_string(g, id);
}

/* The node of whoever provides name (by its text), or one for the bare name. */
static char *
name_node(struct graph *g, const char *text)
{
	const struct policy *p = g->policy;
	char t[POLICY_NAME_TEXT_MAX], id[32];

	for (size_t i = 0; i < p->nservices; i++) {
		for (size_t k = 0; k < p->services[i].nprovides; k++) {
			name_text(&p->services[i].provides[k], t);
			if (strcmp(t, text) == 0) {
				snprintf(id, sizeof(id), "s%zu", i);
				return dup_string(g, id);
			}
		}
	}
	for (size_t k = 0; k < p->nexternals; k++) {
		name_text(&p->externals[k], t);
		if (strcmp(t, text) == 0) {
			snprintf(id, sizeof(id), "x%zu", k);
			return dup_string(g, id);
		}
	}
	return extra_node(g, 'n', text);
}

static char *
intruder_node(struct graph *g, const struct audit_record *rec)
{
	char key[64];
	char *id;

	if (rec->peer_exe != NULL)
		id = extra_node(g, 'i', rec->peer_exe);
	else {
		snprintf(key, sizeof(key), "pid %lld", rec->peer_pid);
		id = extra_node(g, 'i', key);
	}
	if (id != NULL)
		note_peer(g, id, rec);
	return id;
}

/* A path a service listens on outside capwrap: a node, its edge printed with
 * it. */
static void
fs_socket_node(struct graph *g, const struct audit_record *rec)
{
	/* The service's node first: making one may move g->nodes. */
	char *from = service_node(g, rec->service);
	char *id = extra_node(g, 'f', rec->path);
	struct extra_node *n = id != NULL ? node_by_id(g, id) : NULL;

	free(id);
	if (n != NULL && n->from == NULL) {
		n->from = from;
		return;
	}
	free(from);
}

static void
on_record(void *ctx, const struct audit_record *rec)
{
	struct graph *g = ctx;
	char label[POLICY_NAME_TEXT_MAX + 32];
	bool has_peer = rec->peer_pid > 0 || rec->peer_exe != NULL;

	if (strcmp(rec->event, "unprotected") == 0) {
		fs_socket_node(g, rec);
		return;
	}
	if (strcmp(rec->event, "deny") != 0)
		return;
	if (strcmp(rec->gate, "accept") == 0 && has_peer) {
		/* Someone without a capability knocked on the service. */
		add_edge(g, intruder_node(g, rec),
		    service_node(g, rec->service), rec->name, rec->count);
	} else if (strcmp(rec->gate, "connect") == 0 && has_peer) {
		/* The service dialed and found an impostor at the address. */
		snprintf(label, sizeof(label), "%s (impostor)", rec->name);
		add_edge(g, service_node(g, rec->service),
		    intruder_node(g, rec), label, rec->count);
	} else if (strcmp(rec->gate, "bind") == 0) {
		snprintf(label, sizeof(label), "bind %s", rec->name);
		add_edge(g, service_node(g, rec->service),
		    name_node(g, rec->name), label, rec->count);
	} else {
		add_edge(g, service_node(g, rec->service),
		    name_node(g, rec->name), rec->name, rec->count);
	}
}

static void
print_policy(const struct policy *p)
{
	char t[POLICY_NAME_TEXT_MAX];

	for (size_t i = 0; i < p->nservices; i++) {
		const struct policy_service *s = &p->services[i];

		printf("\ts%zu [label=\"", i);
		dot_text(s->name);
		for (size_t k = 0; k < s->nprovides; k++) {
			name_text(&s->provides[k], t);
			printf("\\n");
			dot_text(t);
		}
		if (s->unprotected)
			printf(
			    "\\n(unprotected)\", style=\"rounded,dashed\"];\n");
		else
			printf("\"];\n");
	}
	if (p->nexternals > 0) {
		printf("\tsubgraph cluster_external {\n"
		       "\t\tlabel=\"external: passed through unchecked\";\n"
		       "\t\tstyle=dashed; color=gray50; fontcolor=gray30;\n");
		for (size_t k = 0; k < p->nexternals; k++) {
			name_text(&p->externals[k], t);
			printf("\t\tx%zu [label=\"", k);
			dot_text(t);
			printf("\", shape=note, style=solid, color=gray50, "
			       "fontcolor=gray30];\n");
		}
		printf("\t}\n");
	}
	for (size_t i = 0; i < p->nservices; i++)
		for (size_t k = 0; k < p->services[i].ndials; k++)
			printf("\ts%zu -> s%zu;\n", i, p->services[i].dials[k]);
}

static void
print_overlay(const struct graph *g)
{
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct extra_node *n = &g->nodes[i];

		printf("\t%c%zu [label=\"", n->kind, i);
		switch (n->kind) {
		case 'i':
			/* Keyed by its executable, or by its pid alone. */
			if (n->npids == 0 || strncmp(n->key, "pid ", 4) != 0)
				dot_text(n->key);
			for (size_t k = 0; k < n->npids; k++)
				printf("%s%lld",
				    k > 0 ? ", " :
					strncmp(n->key, "pid ", 4) == 0 ?
					    "pid " :
					    "\\npid ",
				    n->pids[k]);
			if (n->more_pids)
				printf(", ...");
			if (n->uid >= 0)
				printf("\\nuid %lld", n->uid);
			printf("\", shape=octagon, style=solid, color=red, "
			       "fontcolor=red];\n");
			break;
		case 'f':
			dot_text(n->key);
			printf("\\n(filesystem socket: not protected)\", "
			       "shape=note, style=solid, color=orange, "
			       "fontcolor=orange];\n");
			if (n->from != NULL)
				printf("\t%s -> f%zu [label=\"listens\", "
				       "color=orange, fontcolor=orange, "
				       "style=dashed];\n",
				    n->from, i);
			break;
		case 'n':
			dot_text(n->key);
			printf(
			    "\\n(provided by no service)\", shape=plaintext, "
			    "style=solid, fontcolor=red];\n");
			break;
		default:
			dot_text(n->key);
			printf(
			    "\\n(not in this policy)\", style=\"rounded,dashed\", "
			    "color=red, fontcolor=red];\n");
			break;
		}
	}
	for (size_t i = 0; i < g->nedges; i++) {
		const struct refused_edge *e = &g->edges[i];

		printf("\t%s -> %s [label=\"", e->from, e->to);
		dot_text(e->label);
		printf(" \u00d7%lld\", color=red, fontcolor=red, "
		       "style=dashed];\n",
		    e->count);
	}
}

static int
read_audit(const char *path, struct graph *g, size_t *nbad)
{
	struct auditlog_reader r;
	int fd, rc = EXIT_OK;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "capwrap: unable to read %s: %s\n", path,
		    strerror(errno));
		return EXIT_NOINPUT;
	}
	auditlog_init(&r, path, on_record, g);
	if (auditlog_feed(&r, fd, true) != 0) {
		fprintf(stderr, "capwrap: unable to read %s: %s\n", path,
		    strerror(errno));
		rc = EXIT_NOINPUT;
	}
	*nbad = r.nbad;
	auditlog_free(&r);
	close(fd);
	return rc;
}

static void
print_graph(const struct policy *p, const struct graph *g)
{
	printf("digraph capwrap {\n"
	       "\tgraph [rankdir=LR, fontname=\"sans-serif\", labelloc=t, "
	       "label=\"");
	dot_text(p->path);
	printf("\"];\n"
	       "\tnode [shape=box, style=rounded, fontname=\"sans-serif\"];\n"
	       "\tedge [fontname=\"sans-serif\", fontsize=10];\n");
	print_policy(p);
	print_overlay(g);
	printf("}\n");
}

static void
free_graph(struct graph *g)
{
	for (size_t i = 0; i < g->nnodes; i++) {
		free(g->nodes[i].key);
		free(g->nodes[i].from);
	}
	for (size_t i = 0; i < g->nedges; i++) {
		free(g->edges[i].from);
		free(g->edges[i].to);
		free(g->edges[i].label);
	}
	free(g->nodes);
	free(g->edges);
}

static int
graph_option(void *ctx, int c, const char *arg)
{
	const char **audit_path = ctx;

	(void)c; /* --audit is the only one */
	*audit_path = arg;
	return CLI_GO_ON;
}

static int
cmd_graph(int argc, char **argv)
{
	const char *audit_path = NULL;
	struct graph g = { .policy = NULL };
	struct policy *p;
	size_t nbad = 0;
	int rc;

	rc = cli_parse_policy(&graph_command, argc, argv, &audit_path, &p);
	if (rc != CLI_GO_ON)
		return rc;
	rc = EXIT_OK;
	g.policy = p;
	if (audit_path != NULL &&
	    (rc = read_audit(audit_path, &g, &nbad)) != EXIT_OK)
		goto out;
	if (g.oom) {
		fprintf(stderr, "capwrap: out of memory\n");
		rc = EXIT_SYSTEM;
		goto out;
	}
	print_graph(p, &g);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "capwrap: unable to write the graph: %s\n",
		    strerror(errno));
		rc = EXIT_SYSTEM;
	} else if (nbad > 0)
		rc = EXIT_DATAERR;
out:
	free_graph(&g);
	policy_free(p);
	return rc;
}

static const struct option graph_longopts[] = {
	{ "audit", required_argument, NULL, 'a' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_command graph_command = {
	.name = "graph",
	.synopsis = "capwrap graph POLICY [--audit FILE]\n",
	.operand = "POLICY",
	.shortopts = ":h",
	.options = graph_longopts,
	.option = graph_option,
	.main = cmd_graph,
};
