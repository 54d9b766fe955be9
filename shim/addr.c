#include <sys/socket.h>
#include <sys/un.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>

#include "shim.h"
#include "wire.h"

bool
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
	out->len = len - path_off - 1;
	return true;
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

int
socket_wire_type(int fd)
{
	int type = 0, saved = errno;
	socklen_t len = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
		type = 0;
	errno = saved;
	switch (type) {
	case SOCK_STREAM:	return WIRE_SOCK_STREAM;
	case SOCK_SEQPACKET:	return WIRE_SOCK_SEQPACKET;
	case SOCK_DGRAM:	return WIRE_SOCK_DGRAM;
	}
	return 0;
}

bool
is_unix_socket(int fd)
{
	int domain = 0, saved = errno;
	socklen_t len = sizeof(domain);
	bool yes = getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 &&
	    domain == AF_UNIX;

	errno = saved;
	return yes;
}

int
unix_socktype(int fd)
{
	return is_unix_socket(fd) ? socket_wire_type(fd) : 0;
}
