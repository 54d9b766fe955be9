/*
 * How abstract names match (common/absname.c), and the wire's matching
 * form of a name: trailing NULs are padding, counted apart; a NUL followed
 * by other bytes is part of a name.
 */
#include <string.h>

#include "absname.h"
#include "tap.h"
#include "wire.h"

#define N(lit) (const uint8_t *)(lit), sizeof(lit) - 1

static void
test_len(void)
{
	uint8_t full[WIRE_NAME_MAX];

	tap_ok(absname_len(N("db")) == 2, "a plain name is all name");
	tap_ok(absname_len(N("db\0")) == 2,
	    "uWSGI's one trailing NUL is padding");
	memset(full, 0, sizeof(full));
	memcpy(full, "db", 2);
	tap_ok(absname_len(full, sizeof(full)) == 2,
	    "node's and haproxy's NULs to the end of sun_path are padding");
	tap_ok(absname_len(N("d\0b")) == 3, "a NUL inside a name is name");
	tap_ok(absname_len(N("d\0b\0\0")) == 3,
	    "a NUL inside a name is name, the trailing ones padding");
	tap_ok(absname_len(N("\0\0\0")) == 0, "NULs alone are the empty name");
	tap_ok(absname_len(N("")) == 0, "the empty name is empty");
	tap_ok(absname_len(N("\0db")) == 3, "a leading NUL is name");
}

static void
test_near(void)
{
	tap_ok(absname_differs_past_nul(N("db\0x"), N("db")),
	    "a name with bytes past a NUL is near the name before it");
	tap_ok(absname_differs_past_nul(N("db"), N("db\0x")),
	    "and the other way round");
	tap_ok(absname_differs_past_nul(N("db\0x"), N("db\0y")),
	    "two names that differ past their NULs are near");
	tap_ok(!absname_differs_past_nul(N("db"), N("dc")),
	    "names without a NUL are not near");
	tap_ok(!absname_differs_past_nul(N("db\0x"), N("db\0x")),
	    "a name is not near itself");
	tap_ok(!absname_differs_past_nul(N("db\0x"), N("da")),
	    "names that differ before the NUL are not near");
	tap_ok(!absname_differs_past_nul(N("d\0x"), N("db")),
	    "a NUL earlier in one name is no nearness");
}

static void
test_wire_name(void)
{
	uint8_t raw[WIRE_NAME_MAX];
	union wire_msg m;
	size_t n = sizeof(struct wire_dial);

	memset(raw, 0, sizeof(raw));
	memcpy(raw, "db", 2);
	wire_init(&m, WIRE_DIAL);
	m.dial.socktype = WIRE_SOCK_STREAM;
	tap_ok(wire_set_name(&m.dial.name, raw, sizeof(raw)) == 0 &&
		m.dial.name.len == 2 && m.dial.name.nuls == 105 &&
		memcmp(m.dial.name.bytes, "db", 2) == 0,
	    "wire_set_name splits a padded name into the name and its NULs");
	tap_ok(wire_decode(&m, n, &(union wire_msg){ 0 }) == 0,
	    "a padded name decodes");
	tap_ok(wire_set_name(&m.dial.name, "a\0b\0", 4) == 0 &&
		m.dial.name.len == 3 && m.dial.name.nuls == 1,
	    "wire_set_name keeps a NUL inside a name");
	m.dial.name.len = 4;
	tap_ok(wire_decode(&m, n, &(union wire_msg){ 0 }) != 0,
	    "a name ending in a NUL is rejected: it is not in matching form");
	(void)wire_set_name(&m.dial.name, "db", 2);
	m.dial.name.nuls = WIRE_NAME_MAX - 1;
	tap_ok(wire_decode(&m, n, &(union wire_msg){ 0 }) != 0,
	    "padding past the end of sun_path is rejected");
	m.dial.name.nuls = WIRE_NAME_MAX - 2;
	tap_ok(wire_decode(&m, n, &(union wire_msg){ 0 }) == 0,
	    "padding to the end of sun_path is accepted");
}

int
main(void)
{
	test_len();
	test_near();
	test_wire_name();
	return tap_done();
}
