/*
 * hx-early: a program linked against libearly.so, whose constructor binds
 * and dials before main().  main() then serves one connection on the
 * listener the constructor made, so the early bind is shown to be gated
 * like any other: "main served LINE".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "hx.h"

extern int hx_early_listener;

int
main(void)
{
	char buf[512], reply[600];
	int cfd;

	fx_say("main reached");
	if (hx_early_listener < 0)
		return FX_OK;
	fx_say("listening pid=%d", (int)getpid());
	do
		cfd = accept(hx_early_listener, NULL, NULL);
	while (cfd < 0 && (errno == ECONNABORTED || errno == EINTR));
	if (cfd < 0)
		fx_refused("accept");
	if (hx_read_line(cfd, buf, sizeof(buf)) > 0) {
		fx_say("main served %s", buf);
		snprintf(reply, sizeof(reply), "echo %s\n", buf);
		(void)!write(cfd, reply, strlen(reply));
	}
	return FX_OK;
}
