/*
 * The channel decoder accepts exactly the layouts of wire.h and rejects
 * everything else: wrong sizes, magic, version, types, lengths out of
 * range, unknown flags, and non-zero bytes where none may be.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "tap.h"
#include "wire.h"

static int
decodes(const void *m, size_t len)
{
	union wire_msg out;

	return wire_decode(m, len, &out) == 0;
}

static void
valid_dial(union wire_msg *m)
{
	wire_init(m, WIRE_DIAL);
	m->dial.socktype = WIRE_SOCK_STREAM;
	(void)wire_set_name(&m->dial.name, "db", 2);
}

static void
test_requests(void)
{
	union wire_msg m;
	size_t n = sizeof(struct wire_dial);

	valid_dial(&m);
	tap_ok(decodes(&m, n), "a well-formed DIAL decodes");
	tap_ok(!decodes(&m, n - 1), "a short DIAL is rejected");
	tap_ok(!decodes(&m, n + 1), "a long DIAL is rejected");
	tap_ok(!decodes(&m, 0), "an empty message is rejected");

	valid_dial(&m);
	m.h.magic ^= 1;
	tap_ok(!decodes(&m, n), "a wrong magic is rejected");
	valid_dial(&m);
	m.h.version++;
	tap_ok(!decodes(&m, n), "a wrong version is rejected");
	valid_dial(&m);
	m.h.type = 99;
	tap_ok(!decodes(&m, n), "an unknown type is rejected");
	valid_dial(&m);
	m.dial.flags = WIRE_DIAL_FLAGS;
	tap_ok(decodes(&m, n),
	    "a dial asking for the page and the queue decodes");
	valid_dial(&m);
	m.dial.flags = 0x80;
	tap_ok(!decodes(&m, n), "an unknown flag is rejected");
	valid_dial(&m);
	m.dial.socktype = 7;
	tap_ok(!decodes(&m, n), "an unknown socket type is rejected");
	valid_dial(&m);
	m.dial.name.len = 0;
	memset(m.dial.name.bytes, 0, sizeof(m.dial.name.bytes));
	tap_ok(decodes(&m, n), "the empty abstract name is a name");
	valid_dial(&m);
	m.dial.name.len = WIRE_NAME_MAX + 1;
	tap_ok(!decodes(&m, n), "an over-long name is rejected");
	valid_dial(&m);
	m.dial.name.bytes[5] = 'x';
	tap_ok(!decodes(&m, n), "bytes beyond the name's length are rejected");
	valid_dial(&m);
	m.dial.reserved = 1;
	tap_ok(!decodes(&m, n), "a non-zero reserved field is rejected");

	tap_ok(wire_set_name(&m.dial.name, "x", 0) == 0 && m.dial.name.len == 0,
	    "wire_set_name takes the empty name");
	tap_ok(wire_set_name(&m.dial.name, "x", WIRE_NAME_MAX + 1) == -1,
	    "wire_set_name refuses an over-long name");
	tap_ok(wire_set_name(&m.dial.name, "a\0b", 3) == 0 &&
		m.dial.name.len == 3 &&
		memcmp(m.dial.name.bytes, "a\0b", 3) == 0,
	    "names keep NUL bytes and their exact length");
}

static void
grant(union wire_msg *m)
{
	wire_init(m, WIRE_REPLY);
	m->reply.verdict = WIRE_GRANT;
	m->reply.stamp.pid = 42;
	m->reply.addr_len = 6;
	memcpy(m->reply.addr,
	    "\0"
	    "1a2b3",
	    6);
}

static void
test_replies(void)
{
	union wire_msg m;
	size_t n = sizeof(struct wire_reply);

	grant(&m);
	tap_ok(decodes(&m, n), "a well-formed GRANT decodes");
	grant(&m);
	m.reply.stamp.pid = 0;
	tap_ok(!decodes(&m, n), "a GRANT without a pid is rejected");
	grant(&m);
	m.reply.addr[0] = 'x';
	tap_ok(!decodes(&m, n),
	    "a GRANT to a non-abstract address is rejected");
	grant(&m);
	m.reply.addr_len = WIRE_ADDR_MAX + 1;
	tap_ok(!decodes(&m, n),
	    "a GRANT address longer than sun_path is rejected");
	grant(&m);
	m.reply.error = EACCES;
	tap_ok(!decodes(&m, n), "a GRANT carrying an error is rejected");

	wire_init(&m, WIRE_REPLY);
	m.reply.verdict = WIRE_DENY;
	m.reply.error = EACCES;
	tap_ok(decodes(&m, n), "a DENY with an errno decodes");
	m.reply.error = 0;
	tap_ok(!decodes(&m, n), "a DENY without an errno is rejected");
	m.reply.error = EACCES;
	m.reply.stamp.pid = 7;
	tap_ok(!decodes(&m, n), "a DENY carrying a stamp is rejected");

	wire_init(&m, WIRE_REPLY);
	m.reply.verdict = WIRE_ALLOW;
	m.reply.addr[3] = 1;
	tap_ok(!decodes(&m, n), "an ALLOW carrying address bytes is rejected");
	m.reply.addr[3] = 0;
	m.reply.flags = WIRE_REPLY_REAPED | WIRE_REPLY_PAGE;
	tap_ok(decodes(&m, n),
	    "an ALLOW saying the launcher reaps the peer, page attached, "
	    "decodes");
	m.reply.flags = WIRE_REPLY_CLAIMS | WIRE_REPLY_PAGE;
	tap_ok(decodes(&m, n), "a reply with the claim queue attached decodes");
	m.reply.flags = 0x8;
	tap_ok(!decodes(&m, n), "an unknown reply flag is rejected");
	m.reply.flags = 0;
	m.reply.reserved = 1;
	tap_ok(!decodes(&m, n), "a reply's reserved field set is rejected");
	m.reply.reserved = 0;
	m.reply.verdict = 0;
	tap_ok(!decodes(&m, n), "an unknown verdict is rejected");

	grant(&m);
	m.reply.stamp.flags = WIRE_STAMP_REAPED;
	m.reply.stamp.reap_epoch = 9;
	m.reply.flags = WIRE_REPLY_PAGE;
	tap_ok(decodes(&m, n),
	    "a GRANT of a provider the launcher reaps, page attached, decodes");
	m.reply.stamp.flags = 0;
	tap_ok(!decodes(&m, n),
	    "a reap epoch on the stamp of a provider not reaped is rejected");
	m.reply.stamp.flags = WIRE_STAMP_REAPED;
	m.reply.stamp.reap_epoch = 0;
	m.reply.flags = WIRE_REPLY_REAPED;
	tap_ok(!decodes(&m, n),
	    "a GRANT with the admission's REAPED flag is rejected");
	m.reply.flags = 0;
	m.reply.stamp.flags = 0x2;
	tap_ok(!decodes(&m, n), "an unknown stamp flag is rejected");
	m.reply.stamp.flags = 0;
	m.reply.stamp.reserved = 1;
	tap_ok(!decodes(&m, n), "a stamp's reserved field set is rejected");
	grant(&m);
	m.reply.verdict = WIRE_DENY;
	m.reply.error = EACCES;
	memset(&m.reply.stamp, 0, sizeof(m.reply.stamp));
	m.reply.addr_len = 0;
	memset(m.reply.addr, 0, sizeof(m.reply.addr));
	m.reply.flags = WIRE_REPLY_REAPED;
	tap_ok(!decodes(&m, n), "a DENY saying REAPED is rejected");
}

static void
test_admit(void)
{
	union wire_msg m;

	wire_init(&m, WIRE_ADMIT);
	m.admit.socktype = WIRE_SOCK_STREAM;
	m.admit.peer_pid = 0;
	tap_ok(decodes(&m, sizeof(m.admit)),
	    "an ADMIT for a peer in another pid namespace (pid 0) decodes");
	m.admit.flags = WIRE_ADMIT_EXITED;
	tap_ok(decodes(&m, sizeof(m.admit)),
	    "an ADMIT of an exited peer decodes");
	m.admit.flags = WIRE_ADMIT_PAGE;
	tap_ok(decodes(&m, sizeof(m.admit)),
	    "an ADMIT asking for the reap page decodes");
	m.admit.flags = 0x10;
	tap_ok(!decodes(&m, sizeof(m.admit)),
	    "an unknown ADMIT flag is rejected");
	m.admit.flags = 0;
	m.admit.peer_pid = -1;
	tap_ok(!decodes(&m, sizeof(m.admit)), "a negative pid is rejected");
	m.admit.peer_pid = 7;
	m.admit.from_len = 6;
	memcpy(m.admit.from, "x1a2b3", 6);
	tap_ok(!decodes(&m, sizeof(m.admit)),
	    "a sender address that is not abstract is rejected");
}

static void
test_listen_and_nameof(void)
{
	union wire_msg m;

	wire_init(&m, WIRE_LISTEN);
	m.listen.socktype = WIRE_SOCK_STREAM;
	(void)wire_set_name(&m.listen.name, "db", 2);
	m.listen.addr_len = 6;
	memcpy(m.listen.addr,
	    "\0"
	    "1a2b3",
	    6);
	m.listen.state = WIRE_BOUND;
	tap_ok(!decodes(&m, sizeof(m.listen)),
	    "a LISTEN without a socket inode is rejected");
	m.listen.sock_ino = 4242;
	tap_ok(decodes(&m, sizeof(m.listen)),
	    "a LISTEN of a bound socket decodes");
	m.listen.state = 0;
	tap_ok(!decodes(&m, sizeof(m.listen)),
	    "a LISTEN without a state is rejected");
	m.listen.state = WIRE_LISTENING;
	m.listen.addr[0] = 'x';
	tap_ok(!decodes(&m, sizeof(m.listen)),
	    "a LISTEN of a non-abstract address is rejected");

	wire_init(&m, WIRE_NAMEOF);
	m.nameof.addr_len = 6;
	memcpy(m.nameof.addr,
	    "\0"
	    "1a2b3",
	    6);
	tap_ok(decodes(&m, sizeof(m.nameof)), "a NAMEOF decodes");
	m.nameof.addr[9] = 1;
	tap_ok(!decodes(&m, sizeof(m.nameof)),
	    "a NAMEOF with bytes past its address is rejected");

	wire_init(&m, WIRE_REPLY);
	m.reply.verdict = WIRE_NAME_LOCAL;
	m.reply.addr_len = 1;
	tap_ok(decodes(&m, sizeof(m.reply)),
	    "a NAME answer may name the empty name");
	m.reply.addr_len = 3;
	memcpy(m.reply.addr, "\0db", 3);
	tap_ok(decodes(&m, sizeof(m.reply)), "a NAME answer decodes");
	m.reply.stamp.pid = 1;
	tap_ok(!decodes(&m, sizeof(m.reply)),
	    "a NAME answer with a stamp is rejected");
}

static void
test_claim(void)
{
	union wire_msg m;
	size_t n = sizeof(struct wire_claim);

	wire_init(&m, WIRE_CLAIM);
	m.claim.socktype = WIRE_SOCK_SEQPACKET;
	(void)wire_set_name(&m.claim.name, "db", 2);
	tap_ok(decodes(&m, n), "a CLAIM decodes");
	tap_ok(!decodes(&m, n + 2), "a long CLAIM is rejected");
	tap_ok(!decodes(&m, n - 2), "a short CLAIM is rejected");
	m.claim.reserved = 1;
	tap_ok(!decodes(&m, n),
	    "a CLAIM with a reserved field set is rejected");
	m.claim.reserved = 0;
	m.claim.reserved2 = 1;
	tap_ok(!decodes(&m, n),
	    "a CLAIM with its last reserved field set is rejected");
	m.claim.reserved2 = 0;
	m.claim.socktype = 0;
	tap_ok(!decodes(&m, n), "a CLAIM without a socket type is rejected");
	m.claim.socktype = WIRE_SOCK_STREAM;
	m.claim.name.bytes[5] = 'x';
	tap_ok(!decodes(&m, n), "a CLAIM with bytes past its name is rejected");
	m.claim.name.bytes[5] = 0;
	m.claim.name.len = WIRE_NAME_MAX + 1;
	tap_ok(!decodes(&m, n), "a CLAIM with an oversized name is rejected");
}

static void
valid_exec(union wire_msg *m)
{
	wire_init(m, WIRE_EXEC);
	m->exec.reason = 1;
	m->exec.path_len = 9;
	memcpy(m->exec.path, "/bin/prog", 9);
}

static void
test_exec(void)
{
	union wire_msg m;
	size_t n = sizeof(struct wire_exec);

	valid_exec(&m);
	tap_ok(decodes(&m, n), "an EXEC decodes");
	tap_ok(!decodes(&m, n - 1), "a short EXEC is rejected");
	m.exec.reason = 0;
	tap_ok(!decodes(&m, n), "an EXEC without a reason is rejected");
	m.exec.reason = WIRE_EXEC_REASONS + 1;
	tap_ok(!decodes(&m, n), "an EXEC with an unknown reason is rejected");
	valid_exec(&m);
	m.exec.path_len = 0;
	tap_ok(!decodes(&m, n), "an EXEC with an empty path is rejected");
	valid_exec(&m);
	m.exec.path[3] = 0;
	tap_ok(!decodes(&m, n), "an EXEC path holding a NUL is rejected");
	valid_exec(&m);
	m.exec.path[9] = 'x';
	tap_ok(!decodes(&m, n), "an EXEC with bytes past its path is rejected");
	valid_exec(&m);
	m.exec.flags = WIRE_EXEC_TRUNCATED;
	tap_ok(!decodes(&m, n), "a short EXEC path flagged as cut is rejected");
	m.exec.flags = 0x2;
	tap_ok(!decodes(&m, n), "an EXEC with an unknown flag is rejected");
	valid_exec(&m);
	m.exec.reserved = 1;
	tap_ok(!decodes(&m, n),
	    "an EXEC with its reserved field set is rejected");
	valid_exec(&m);
	memset(m.exec.path, 'a', WIRE_PATH_MAX);
	m.exec.path_len = WIRE_PATH_MAX;
	m.exec.flags = WIRE_EXEC_TRUNCATED;
	tap_ok(decodes(&m, n), "a full EXEC path flagged as cut decodes");
	m.exec.path_len = WIRE_PATH_MAX + 1;
	tap_ok(!decodes(&m, n),
	    "an EXEC path longer than the field is rejected");
}

/* EXTDIAL: a dial's type and name, no flags; CONNECTED carries nothing. */
static void
test_extdial(void)
{
	union wire_msg m;
	size_t n = sizeof(struct wire_extdial);

	wire_init(&m, WIRE_EXTDIAL);
	m.extdial.socktype = WIRE_SOCK_DGRAM;
	(void)wire_set_name(&m.extdial.name, "host", 4);
	tap_ok(decodes(&m, n), "a well-formed EXTDIAL decodes");
	tap_ok(!decodes(&m, sizeof(struct wire_dial) - 1),
	    "an EXTDIAL of another size is rejected");
	m.extdial.reserved = 1;
	tap_ok(!decodes(&m, n), "EXTDIAL: a non-zero reserved field");
	m.extdial.reserved = 0;
	m.extdial.reserved2 = 1;
	tap_ok(!decodes(&m, n), "EXTDIAL: a non-zero second reserved field");
	m.extdial.reserved2 = 0;
	m.extdial.socktype = 0;
	tap_ok(!decodes(&m, n), "EXTDIAL: an unknown socket type");
	m.extdial.socktype = WIRE_SOCK_STREAM;
	m.extdial.name.bytes[4] = 'x';
	tap_ok(!decodes(&m, n), "EXTDIAL: bytes beyond the name");

	wire_init(&m, WIRE_REPLY);
	m.reply.verdict = WIRE_CONNECTED;
	tap_ok(decodes(&m, sizeof(m.reply)), "a CONNECTED reply decodes");
	m.reply.error = EAGAIN;
	tap_ok(!decodes(&m, sizeof(m.reply)), "CONNECTED with an error");
	m.reply.error = 0;
	m.reply.addr_len = 2;
	tap_ok(!decodes(&m, sizeof(m.reply)), "CONNECTED with an address");
}

/*
 * The reap epoch in Gray code (struct wire_reap_page): read back whole,
 * and read while it moves by a copy that takes each byte from before or
 * after the move, it is always the old value or the new.
 */
static void
test_reap_gray(void)
{
	static const uint64_t at[] = { 0, 1, 0xff, 0x1ff, 0xffff, 0x12345678ff,
		0x7fffffffffffffffULL, 0xfffffffffffffffeULL };
	bool whole = true, torn = true;

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		uint64_t n = at[i], old = wire_reap_gray(n),
			 new = wire_reap_gray(n + 1);

		whole = whole && wire_reap_ungray(old) == n &&
		    wire_reap_ungray(new) == n + 1;
		/* Every way of taking the eight bytes from one or the other. */
		for (unsigned mix = 0; mix < 256; mix++) {
			uint64_t seen = 0, e;

			for (unsigned b = 0; b < 8; b++)
				seen |= ((mix >> b) & 1 ? new : old) &
				    (0xffULL << (8 * b));
			e = wire_reap_ungray(seen);
			torn = torn && (e == n || e == n + 1);
		}
	}
	tap_ok(whole, "a reap epoch read back from its Gray code is the epoch");
	tap_ok(torn,
	    "a reap epoch copied byte by byte while it moves is the old or the new");
}

int
main(void)
{
	test_requests();
	test_claim();
	test_exec();
	test_replies();
	test_listen_and_nameof();
	test_admit();
	test_extdial();
	test_reap_gray();
	return tap_done();
}
