#include <fcntl.h>
#include <unistd.h>

#include "sysio.h"

/* open() is variadic: a plain function to point at. */
static int
libc_open(const char *path, int flags)
{
	return open(path, flags);
}

const struct sysio sysio_libc = {
	.open = libc_open,
	.read = read,
	.close = close,
	.sendmsg = sendmsg,
	.recvmsg = recvmsg,
};
