/*
 * Abstract names may hold any byte, NUL and terminal escapes included, yet
 * they end up in log lines, JSON strings and diagnostics.  One rendering is
 * used for all of them: printable ASCII as is, everything else as \xHH.
 * '\\' and '"' are escaped too, so the text is a valid JSON string body
 * and can be read back unambiguously.
 */
#include <stdio.h>
#include <string.h>

#include "policy.h"
#include "internal.h"

static const char hexdigits[] = "0123456789abcdef";

/* Writes at most 4 * len bytes and no terminator; returns the count. */
static size_t
escape_bytes(char *out, const uint8_t *bytes, size_t len)
{
	size_t	 i, o = 0;

	for (i = 0; i < len; i++) {
		uint8_t	 c = bytes[i];

		if (c >= 0x20 && c <= 0x7e && c != '\\' && c != '"') {
			out[o++] = (char)c;
			continue;
		}
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hexdigits[c >> 4];
		out[o++] = hexdigits[c & 0xf];
	}
	return o;
}

char *
policy_name_text(const uint8_t *name, size_t len,
    char out[POLICY_NAME_TEXT_MAX])
{
	size_t	 o;

	/* The buffer is sized for a valid name; never write past it. */
	if (len > POLICY_NAME_MAX)
		len = POLICY_NAME_MAX;
	out[0] = '@';
	o = 1 + escape_bytes(out + 1, name, len);
	out[o] = '\0';
	return out;
}

char *
quote_bytes(char out[QUOTE_BUF], const uint8_t *bytes, size_t len)
{
	size_t	 o;

	if (len <= QUOTE_MAX) {
		o = escape_bytes(out, bytes, len);
	} else {
		o = escape_bytes(out, bytes, QUOTE_MAX);
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}
