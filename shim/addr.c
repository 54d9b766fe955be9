#include <sys/socket.h>
#include <sys/un.h>
#include <ctype.h>
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "absname.h"
#include "addr.h"
#include "debug.h"
#include "hotpath.h"
#include "wire.h"

HOT_PATH bool
abstract_addr_of(const struct sockaddr *addr, socklen_t len,
    struct abstract_addr *out)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)addr;
	const socklen_t path_off = offsetof(struct sockaddr_un, sun_path);

	/* path_off + 1 with a NUL is the empty abstract name, not autobind. */
	if (addr == NULL || len <= path_off ||
	    len > sizeof(struct sockaddr_un) || sun->sun_family != AF_UNIX ||
	    sun->sun_path[0] != '\0')
		return false;
	out->name = (const uint8_t *)sun->sun_path + 1;
	out->len = absname_len(out->name, len - path_off - 1);
	out->nuls = len - path_off - 1 - out->len;
	return true;
}

void
abstract_wire_name(const struct abstract_addr *a, struct wire_name *out)
{
	(void)wire_set_name(out, a->name, a->len + a->nuls);
}

socklen_t
minted_sockaddr(struct sockaddr_un *out, const uint8_t *addr, size_t len)
{
	memset(out, 0, sizeof(*out));
	out->sun_family = AF_UNIX;
	memcpy(out->sun_path, addr, len);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
}

bool
is_autobind_name(const uint8_t *name, size_t len)
{
	if (len != 5)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit(name[i]) || isupper(name[i]))
			return false;
	return true;
}

bool
is_autobind_addr(const struct abstract_addr *a)
{
	return a->nuls == 0 && is_autobind_name(a->name, a->len);
}

/*
 * One socket option, with what its failure means: 1 when the kernel
 * answered, 0 when fd is no socket at all (the call itself will say so),
 * SOCKET_UNKNOWN when the kernel would not answer for this socket.
 */
static int
ask_socket(int fd, int option, int *value)
{
	socklen_t len = sizeof(*value);
	int saved = errno, rc = 1;

	if (getsockopt(fd, SOL_SOCKET, option, value, &len) != 0)
		rc = errno == ENOTSOCK || errno == EBADF ? 0 : SOCKET_UNKNOWN;
	errno = saved;
	return rc;
}

int
socket_wire_type(int fd)
{
	int type = 0, rc = ask_socket(fd, SO_TYPE, &type);

	if (rc <= 0)
		return rc;
	switch (type) {
	case SOCK_STREAM:
		return WIRE_SOCK_STREAM;
	case SOCK_SEQPACKET:
		return WIRE_SOCK_SEQPACKET;
	case SOCK_DGRAM:
		return WIRE_SOCK_DGRAM;
	}
	return 0;
}

int
unix_family(int fd)
{
	int domain = 0, rc = ask_socket(fd, SO_DOMAIN, &domain);

	return rc <= 0 ? rc : domain == AF_UNIX;
}

int
unix_socktype(int fd)
{
	int rc = unix_family(fd);

	return rc <= 0 ? rc : socket_wire_type(fd);
}

int
refuse_unknown_socket(void)
{
	static atomic_flag said = ATOMIC_FLAG_INIT;

	if (!atomic_flag_test_and_set(&said))
		capshim_log_always(
		    "the kernel would not tell a socket's family "
		    "or type (getsockopt refused): refusing its abstract address");
	errno = EACCES;
	return -1;
}
