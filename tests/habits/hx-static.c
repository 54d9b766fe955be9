/*
 * hx-static: a statically linked program, which no preload library can
 * enter.  Prints whether LD_PRELOAD and CAPWRAP_CHANNEL are set.
 */
#include <stdio.h>
#include <stdlib.h>

int
main(void)
{
	const char *p = getenv("LD_PRELOAD"), *c = getenv("CAPWRAP_CHANNEL");

	printf("LD_PRELOAD %s\n", p ? p : "unset");
	printf("CAPWRAP_CHANNEL %s\n", c ? c : "unset");
	return 0;
}
