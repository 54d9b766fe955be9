/*
 * How abstract names match, in one place (absname.c): the shim applies it
 * to what a program binds, dials or sends to, the wire carries names in
 * its matching form, and the launcher's refusals use it for their hints.
 * The rule is documented in capwrap.policy(5), "How names match".
 */
#ifndef CAPWRAP_ABSNAME_H
#define CAPWRAP_ABSNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The length of name as it matches: its trailing NUL bytes are padding,
 * not part of it.  node (libuv) and haproxy pad an abstract name with NULs
 * to the whole sun_path, uWSGI adds one; "@db" padded any way is "@db".
 * A NUL followed by other bytes stays, so "@db\0x" is not "@db".
 */
size_t absname_len(const uint8_t *name, size_t len);

/*
 * True if two names (in their matching form) differ, yet read the same
 * up to their first NUL byte, and one of them has a NUL: a program that
 * passed a length past the end of its name (a buffer left unzeroed), or a
 * policy that spells a NUL inside a name.  Such names never match; a
 * refusal says how near they were.
 */
bool absname_differs_past_nul(const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen);

#endif
