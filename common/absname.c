/*
 * How abstract names match: see absname.h.  Compiled into both the shim
 * and the launcher; libc only.
 */
#include <string.h>

#include "absname.h"
#include "hotpath.h"

HOT_PATH size_t
absname_len(const uint8_t *name, size_t len)
{
	while (len > 0 && name[len - 1] == '\0')
		len--;
	return len;
}

/* The bytes before the first NUL of a name. */
static size_t
before_nul(const uint8_t *name, size_t len)
{
	const uint8_t *nul = memchr(name, '\0', len);

	return nul == NULL ? len : (size_t)(nul - name);
}

bool
absname_differs_past_nul(const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen)
{
	size_t ahead = before_nul(a, alen), bhead = before_nul(b, blen);

	if (ahead == alen && bhead == blen)
		return false; /* no NUL in either: they differ before one */
	if (alen == blen && memcmp(a, b, alen) == 0)
		return false; /* the same name */
	return ahead == bhead && memcmp(a, b, ahead) == 0;
}
