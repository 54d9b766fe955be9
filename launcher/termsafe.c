#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "linefmt.h"
#include "termsafe.h"

/*
 * The length of the well-formed UTF-8 sequence at s (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF) that is not a
 * C1 control; 0 if there is none.
 */
static size_t
utf8_len(const unsigned char *s, size_t left)
{
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xc2)
		lo = 0xa0; /* U+0080..U+009F are the C1 controls */
	else if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n > left || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

size_t
termsafe_escape(char *out, size_t size, const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;

	if (size == 0)
		return 0;
	for (size_t i = 0; i < len;) {
		size_t n = s[i] >= 0x20 && s[i] < 0x7f ?
		    1 :
		    utf8_len(s + i, len - i);

		if (n == 0) {
			if (o + 4 >= size)
				break;
			snprintf(out + o, size - o, "\\x%02x", s[i]);
			o += 4;
			i++;
			continue;
		}
		if (o + n >= size)
			break;
		memcpy(out + o, s + i, n);
		o += n;
		i += n;
	}
	out[o] = '\0';
	return o;
}

void
termsafe_printf(FILE *f, const char *fmt, ...)
{
	char line[8192], safe[4 * sizeof(line)];
	va_list ap;
	bool cut;
	int n;

	va_start(ap, fmt);
	n = linefmt_v(line, sizeof(line), &cut, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	termsafe_escape(safe, sizeof(safe), line, (size_t)n);
	fprintf(f, "%s\n", safe);
}
