#include <errno.h>

#include "hotpath.h"
#include "rawsys.h"
#include "rawtrap.h"
#include "real.h"

#ifdef RAWTRAP
#define trap rawtrap
#else
/* Elsewhere, libc's syscall() from the table; nothing before it is resolved. */
static long
trap(long n, long a, long b, long c, long d, long e, long f)
{
	long ret;

	if (!real_ready())
		return -ENOSYS;
	ret = real.syscall(n, a, b, c, d, e, f);
	return ret == -1 ? -errno : ret;
}
#endif

HOT_PATH long
capshim_syscall6(long number, long a, long b, long c, long d, long e, long f)
{
	long ret = trap(number, a, b, c, d, e, f);

	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}
