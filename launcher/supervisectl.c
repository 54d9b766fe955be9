/*
 * What reload and the control socket see of the supervisor: its services,
 * whether it is stopping, and the replacement of its policy (a reload).
 */
#include <stdbool.h>
#include <stddef.h>

#include "runstate.h"
#include "supervise.h"

struct service_rt *
supervise_services(size_t *n, const struct policy **p)
{
	*n = run.nsvc;
	if (p != NULL)
		*p = run.policy;
	return run.svc;
}

bool
supervise_stopping(void)
{
	return run.kill_at >= 0;
}

int
supervise_replace(const struct policy *p, struct service_rt *svc, size_t n,
    int width)
{
	const char *exit_with = run.exit_with ? run.exit_with->name : NULL;
	struct startorder order;

	if (startorder_init(&order, p) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		bool was = i < run.nsvc;

		order.pending[i] = p->services[i].argc > 0 &&
		    (was ? run.order.pending[i] : true);
		order.told[i] = was && run.order.told[i];
	}
	startorder_free(&run.order);
	run.order = order;
	run.policy = p;
	run.svc = svc;
	run.nsvc = n;
	run.width = width > run.width ? width : run.width;
	if (exit_with != NULL)
		run.exit_with = policy_find_service(p, exit_with);
	return 0;
}
