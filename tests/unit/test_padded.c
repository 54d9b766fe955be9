/*
 * The broker's decisions on padded names (launcher/decide.c): a name
 * padded with trailing NULs is the name (common/absname.h) at every gate,
 * its record keeps the padding, and a name that differs from a provided
 * one only past a NUL byte is refused with a hint saying so.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* judge.h is test_decide.c's world; this file needs only part of it. */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "judge.h"

/* A message of type for the len bytes of name, as the shim sends it. */
static union wire_msg
padded(enum wire_type type, const void *name, size_t len)
{
	union wire_msg m = named(type, "x");
	struct wire_name *n = type == WIRE_BIND ? &m.bind.name :
	    type == WIRE_LISTEN			? &m.listen.name :
						  &m.dial.name;

	if (wire_set_name(n, name, len) != 0)
		abort();
	return m;
}

static void
test_padded_bind(void)
{
	uint8_t full[WIRE_NAME_MAX] = "db";
	union wire_msg m;
	struct verdict v;

	reset_world();
	m = padded(WIRE_BIND, full, sizeof(full));
	judge(DB, &m, &v);
	expect_answer("bind of @db padded to sun_path's end", &v, WIRE_ALLOW);
	judge(WEB, &m, &v);
	expect_refusal("padded bind of another's name", &v, "bind", EACCES, 0,
	    -1, "service web does not provide this name");
	tap_ok(v.name_len == sizeof(full) &&
		memcmp(v.name, full, v.name_len) == 0,
	    "padded bind refused: the record names it with its padding");
	m = padded(WIRE_BIND, "ext\0", 4);
	judge(WEB, &m, &v);
	expect_answer("bind of a padded external name", &v, WIRE_EXTERNAL);
	m = padded(WIRE_BIND, "db\0x\0", 5);
	judge(DB, &m, &v);
	expect_refusal("bind of a name past a NUL", &v, "bind", EACCES, 0, -1,
	    "service db does not provide this name (it differs from @db, "
	    "which db provides, only after a NUL byte: names match byte for "
	    "byte, only trailing NULs are padding)");
}

static void
test_padded_listen(void)
{
	union wire_msg m = padded(WIRE_LISTEN, "db\0\0\0", 5);
	struct verdict v;

	reset_world();
	m.listen.sock_ino = 42;
	m.listen.socktype = WIRE_SOCK_STREAM;
	m.listen.addr_len = 6;
	memcpy(m.listen.addr, "\0abcde", 6);
	m.listen.state = WIRE_LISTENING;
	judge(DB, &m, &v);
	tap_ok(v.kind == VERDICT_REGISTER && v.reg_new.name.len == 2 &&
		memcmp(v.reg_new.name.bytes, "db", 2) == 0,
	    "a padded listener registers the name, for any dial of it");
}

static void
test_padded_dial(void)
{
	struct registration r = { .service = DB, .dialable = true };
	union wire_msg m = padded(WIRE_DIAL, "db\0", 3);
	struct verdict v;

	reset_world();
	world.reg = &r;
	judge(WEB, &m, &v);
	tap_ok(v.kind == VERDICT_GRANT && v.grant == DB && v.reg == &r,
	    "dial of @db with uWSGI's trailing NUL: granted");
	m = padded(WIRE_DIAL, "ext\0\0", 5);
	judge(LONE, &m, &v);
	expect_answer("dial of a padded external name", &v, WIRE_EXTERNAL);
	m = padded(WIRE_DIAL, "db\0junk", 7);
	judge(WEB, &m, &v);
	expect_refusal("dial of a name past a NUL", &v, "connect", EACCES, 0,
	    -1,
	    "no service provides this name and it is not external (it "
	    "differs from @db, which db provides, only after a NUL byte: "
	    "names match byte for byte, only trailing NULs are padding)");
	m = padded(WIRE_DIAL, "dx\0junk", 7);
	judge(WEB, &m, &v);
	expect_refusal("dial of a name that differs before its NUL", &v,
	    "connect", EACCES, 0, -1,
	    "no service provides this name and it is not external");
}

int
main(void)
{
	if (!judge_init())
		return tap_done();
	test_padded_bind();
	test_padded_listen();
	test_padded_dial();
	policy_free(pol);
	return tap_done();
}
