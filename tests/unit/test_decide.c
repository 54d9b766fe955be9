/*
 * Unit tests of the broker's decisions (launcher/decide.c): every verdict,
 * and every refusal reason an audit record carries, word for word (the
 * records are read by operators and by their tools).  The facts a
 * decision asks for are handed over as the broker would gather them, and
 * the questions asked are checked too: the broker makes exactly those
 * queries of the kernel, with their side effects.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "judge.h"

static void
test_bind(void)
{
	union wire_msg m;
	struct registration held = { .service = DB, .dialable = true };
	struct verdict v;

	reset_world();
	m = named(WIRE_BIND, "ext");
	judge(WEB, &m, &v);
	expect_answer("bind of an external name", &v, WIRE_EXTERNAL);
	expect_asked("bind of an external name", 0);
	m = named(WIRE_BIND, "db");
	judge(WEB, &m, &v);
	expect_refusal("bind of another's name", &v, "bind", EACCES, 0, -1,
	    "service web does not provide this name");
	expect_asked("bind of another's name", 0);
	tap_ok(v.name_len == 2 && memcmp(v.name, "db", 2) == 0,
	    "bind of another's name: the record names it");
	judge(DB, &m, &v);
	expect_answer("bind of a free name", &v, WIRE_ALLOW);
	expect_asked("bind of a free name", FACT_NAME_OPEN);
	world.reg = &held;
	judge(DB, &m, &v);
	expect_failure("bind of a name in use", &v, EADDRINUSE);
}

static union wire_msg
listen_msg(const char *name, uint64_t ino, uint16_t state)
{
	union wire_msg m = named(WIRE_LISTEN, name);

	m.listen.sock_ino = ino;
	m.listen.socktype = WIRE_SOCK_STREAM;
	m.listen.addr_len = 6;
	memcpy(m.listen.addr, "\0abcde", 6);
	m.listen.state = state;
	return m;
}

static void
test_listen(void)
{
	union wire_msg m = listen_msg("db", 42, WIRE_LISTENING);
	struct registration old = { .sock_ino = 42 }, other = { .sock_ino = 7 };
	struct verdict v;

	reset_world();
	judge(WEB, &m, &v);
	expect_refusal("listen on another's name", &v, "bind", EACCES, 0, -1,
	    "socket registered for a name the service does not provide");
	expect_asked("listen on another's name", 0);
	world.bound = SOCKDIAG_FAILED;
	judge(DB, &m, &v);
	expect_refusal("listen, socket not found", &v, "bind", EACCES, 0, -1,
	    "the registered socket could not be looked up");
	expect_asked("listen, socket not found", FACT_BOUND);
	world.bound = 0;
	judge(DB, &m, &v);
	expect_refusal("listen, socket elsewhere", &v, "bind", EACCES, 0, -1,
	    "the registered socket is not bound at the address claimed");
	/* Stopped, or dead, before its registration was read: nothing to
	 * record. */
	world.asker_stopping = true;
	judge(DB, &m, &v);
	expect_failure("listen, socket gone, its service told to stop", &v,
	    ESRCH);
	world.asker_stopping = false;
	world.asker_gone = true;
	judge(DB, &m, &v);
	expect_failure("listen, socket gone with its process", &v, ESRCH);
	world.asker_gone = false;
	world.asker_stopping = true;
	m = listen_msg("web", 42, WIRE_LISTENING);
	judge(DB, &m, &v);
	expect_refusal("listen on another's name while stopping", &v, "bind",
	    EACCES, 0, -1,
	    "socket registered for a name the service does not provide");
	m = listen_msg("db", 42, WIRE_LISTENING);
	world.asker_stopping = false;
	world.bound = 1;
	world.reg = &other;
	judge(DB, &m, &v);
	expect_failure("listen on a name another socket holds", &v, EADDRINUSE);
	expect_asked("listen on a name another socket holds",
	    FACT_BOUND | FACT_NAME_OPEN);
	world.reg = &old;
	world.asker_gone = true;
	judge(DB, &m, &v);
	expect_failure("listen by a process that died", &v, ESRCH);
	world.asker_gone = false;
	judge(DB, &m, &v);
	tap_ok(v.kind == VERDICT_REGISTER && v.reg_new.sock_ino == 42 &&
		v.reg_new.service == DB && v.reg_new.dialable &&
		v.reg_new.owner == NULL && v.reg_new.name.len == 2 &&
		memcmp(v.reg_new.name.bytes, "db", 2) == 0 &&
		v.reg_new.addr_len == 6 &&
		memcmp(v.reg_new.addr, "\0abcde", 6) == 0 &&
		v.reg_new.socktype == WIRE_SOCK_STREAM,
	    "listen again on its own socket: registered, dialable");
	world.bound = SOCKDIAG_UNSUPPORTED;
	world.reg = NULL;
	m = listen_msg("dg", 43, WIRE_BOUND);
	judge(DB, &m, &v);
	tap_ok(v.kind == VERDICT_REGISTER && !v.reg_new.dialable,
	    "bound without sock_diag: registered, not dialable");
}

static void
test_nameof(void)
{
	union wire_msg m;
	struct registration r = { .service = DB, .name = { 2, "db" } };
	struct verdict v;

	reset_world();
	wire_init(&m, WIRE_NAMEOF);
	judge(WEB, &m, &v);
	expect_failure("nameof an address nobody holds", &v, ENOENT);
	expect_asked("nameof", FACT_AT_ADDR);
	world.at_addr = &r;
	judge(WEB, &m, &v);
	expect_failure("nameof a closed socket", &v, ENOENT);
	world.at_addr_open = true;
	judge(WEB, &m, &v);
	tap_ok(v.kind == VERDICT_NAME && v.answer == WIRE_NAME_REMOTE &&
		v.reg == &r,
	    "nameof another service's socket: its name, remote");
	judge(DB, &m, &v);
	tap_ok(v.kind == VERDICT_NAME && v.answer == WIRE_NAME_LOCAL,
	    "nameof the service's own socket: its name, local");
}

static void
test_dial_policy(void)
{
	union wire_msg m;
	struct verdict v;

	reset_world();
	m = named(WIRE_DIAL, "ext");
	judge(LONE, &m, &v);
	expect_answer("dial of an external name", &v, WIRE_EXTERNAL);
	m = named(WIRE_DIAL, "nobody");
	judge(WEB, &m, &v);
	expect_refusal("dial of a name nobody provides", &v, "connect", EACCES,
	    0, -1, "no service provides this name and it is not external");
	m = named(WIRE_DIAL, "db");
	judge(LONE, &m, &v);
	expect_refusal("dial of a service not dialed", &v, "connect", EACCES, 0,
	    -1, "service lone does not dial service db");
	expect_asked("dial of a service not dialed", 0);
	m = named(WIRE_DIAL, "open");
	judge(WEB, &m, &v);
	expect_answer("dial of an unprotected provider", &v, WIRE_EXTERNAL);
}

static void
test_dial(void)
{
	union wire_msg m = named(WIRE_DIAL, "db");
	struct registration r = { .service = DB, .dialable = true };
	struct verdict v;

	test_dial_policy();
	world.reg = &r;
	judge(WEB, &m, &v);
	tap_ok(v.kind == VERDICT_GRANT && v.grant == DB && v.reg == &r,
	    "dial of a listening provider: granted");
	expect_asked("stream dial", FACT_NAME_HELD);
	m.dial.socktype = WIRE_SOCK_DGRAM;
	judge(WEB, &m, &v);
	expect_asked("datagram dial: the socket checked", FACT_NAME_OPEN);
	world.asker_gone = true;
	judge(WEB, &m, &v);
	expect_failure("dial by a process that died", &v, ESRCH);
	world.asker_gone = false;
	r.dialable = false;
	m.dial.flags = WIRE_DIAL_NOWAIT;
	judge(WEB, &m, &v);
	expect_failure("non-blocking dial, no listener yet", &v, ECONNREFUSED);
	m.dial.flags = 0;
	world.reg = NULL;
	judge(WEB, &m, &v);
	tap_ok(v.kind == VERDICT_WAIT, "dial, no listener yet: it waits");
	expect_asked("dial that waits", FACT_NAME_OPEN | FACT_PENDING);
	world.pending_proc = 2;
	judge(WEB, &m, &v);
	expect_failure("dial past the process's waits", &v, ECONNREFUSED);
	world.pending_proc = 1;
	world.pending_service = 3;
	judge(WEB, &m, &v);
	expect_failure("dial past the service's waits", &v, ECONNREFUSED);
}

static void
test_waited(void)
{
	struct registration r = { .service = DB, .dialable = true };
	struct verdict v;

	decide_waited(&r, &v);
	tap_ok(v.kind == VERDICT_GRANT && v.grant == DB && v.reg == &r,
	    "waited dial, provider listens: granted");
	r.dialable = false;
	decide_waited(&r, &v);
	expect_failure("waited dial, provider bound only", &v, ECONNREFUSED);
	decide_waited(NULL, &v);
	expect_failure("waited dial, no provider", &v, ECONNREFUSED);
}

static void
test_claim(void)
{
	union wire_msg m = named(WIRE_CLAIM, "dg");
	struct verdict v;

	reset_world();
	judge(WEB, &m, &v);
	tap_ok(v.kind == VERDICT_GRANT && v.grant == DB && v.reg == NULL,
	    "claim of a name dialed: granted, with no stamp to send");
	expect_asked("claim", 0);
	judge(LONE, &m, &v);
	expect_refusal("claim of a service not dialed", &v, "connect", EACCES,
	    0, -1, "service lone does not dial service db");
	m = named(WIRE_CLAIM, "web");
	judge(DB, &m, &v);
	expect_refusal("claim of a service not dialed", &v, "connect", EACCES,
	    0, -1, "service db does not dial service web");
}

static void
test_report(void)
{
	static const struct {
		uint16_t reason;
		const char *text;
	} reports[] = {
		{ WIRE_REPORT_PEER_MISMATCH,
		    "the process at the provider's "
		    "address is not the one the capability names" },
		{ WIRE_REPORT_PEER_DEAD,
		    "the provider the capability names has exited" },
		{ WIRE_REPORT_PEER_UNKNOWN,
		    "the peer's credentials are unavailable" },
	};
	union wire_msg m = named(WIRE_REPORT, "db");
	struct verdict v;

	for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		m.report.reason = reports[i].reason;
		m.report.peer_pid = 77;
		m.report.peer_uid = 1000;
		judge(WEB, &m, &v);
		expect_refusal("report", &v, "connect", ECONNREFUSED, 77, 1000,
		    reports[i].text);
	}
	m.report.peer_pid = 0;
	judge(WEB, &m, &v);
	expect_refusal("report, no peer", &v, "connect", ECONNREFUSED, 0, -1,
	    "the peer's credentials are unavailable");
}

static void
test_exec(void)
{
	union wire_msg m;
	struct verdict v;
	char want[VERDICT_REASON_MAX];

	wire_init(&m, WIRE_EXEC);
	memcpy(m.exec.path, "/bin/x", 6);
	m.exec.path_len = 6;
	for (int r = IMAGE_STATIC; r <= IMAGE_REFUSALS; r++) {
		m.exec.reason = (uint16_t)r;
		m.exec.flags = r == IMAGE_NESTED ? WIRE_EXEC_TRUNCATED : 0;
		snprintf(want, sizeof(want), "%s%s", image_reason(r),
		    r == IMAGE_NESTED ? " (path cut short)" : "");
		judge(WEB, &m, &v);
		expect_refusal("exec refused", &v, "exec", EACCES, 0, -1, want);
		tap_ok(v.name_len == 6 && memcmp(v.name, "/bin/x", 6) == 0,
		    "exec refused: the record names the image");
	}
}

static void
test_hello(void)
{
	union wire_msg m;
	struct verdict v;

	wire_init(&m, WIRE_HELLO);
	m.hello.status = WIRE_HELLO_OK;
	judge(WEB, &m, &v);
	expect_answer("hello", &v, WIRE_ALLOW);
	tap_ok(!v.unprotectable, "hello: protected");
	m.hello.status = WIRE_HELLO_INTERPOSED;
	judge(WEB, &m, &v);
	expect_answer("hello, interposed", &v, WIRE_ALLOW);
	tap_ok(v.unprotectable, "hello, interposed: unprotectable");
}

static union wire_msg
admit_msg(int32_t pid, uint64_t ino, uint16_t flags)
{
	union wire_msg m = named(WIRE_ADMIT, "db");

	m.admit.peer_pid = pid;
	m.admit.peer_uid = 1000;
	m.admit.peer_ino = ino;
	m.admit.socktype = WIRE_SOCK_STREAM;
	m.admit.flags = flags;
	return m;
}

static void
test_admit_unidentified(void)
{
	union wire_msg m = admit_msg(0, 0, 0);
	struct verdict v;

	reset_world();
	judge(DB, &m, &v);
	expect_refusal("admit, pid 0", &v, "accept", ECONNABORTED, 0, 1000,
	    "peer credentials unavailable (another pid namespace)");
	m = admit_msg(55, 0, WIRE_ADMIT_EXITED);
	judge(DB, &m, &v);
	expect_refusal("admit of an exited peer without pidfs", &v, "accept",
	    ECONNABORTED, 55, 1000,
	    "the peer has exited, and without pidfs "
	    "it cannot be told from a process that reused its pid");
	m = admit_msg(55, 9, WIRE_ADMIT_UNIDENTIFIED);
	judge(DB, &m, &v);
	expect_refusal("admit of a datagram with cut credentials", &v, "accept",
	    ECONNABORTED, 55, 1000,
	    "the sender's credentials were "
	    "cut short or came without its pidfd");
	expect_asked("admit refused from the request alone", 0);
}

static void
test_admit_remembered(void)
{
	union wire_msg m = admit_msg(55, 9, WIRE_ADMIT_REMEMBERED);
	struct verdict v;

	reset_world();
	judge(DB, &m, &v);
	expect_refusal("remembered refusal", &v, "accept", ECONNABORTED, 55,
	    1000, "pid 55 holds no capability to service db");
	expect_asked("remembered refusal", FACT_PEER);
	world.peer = (struct peer_facts){ .live = true,
		.uid = 1000,
		.pidfs_ino = 9,
		.granted = true };
	judge(DB, &m, &v);
	expect_refusal("remembered refusal, granted since", &v, "accept",
	    ECONNABORTED, 55, 1000,
	    "pid 55 was refused less than a second "
	    "ago, before its grant, and the gate remembered it");
	world.peer.pidfs_ino = 10;
	judge(DB, &m, &v);
	expect_refusal("remembered refusal, another process granted", &v,
	    "accept", ECONNABORTED, 55, 1000,
	    "pid 55 holds no capability to service db");
}

static void
test_admit_peer(void)
{
	union wire_msg m = admit_msg(55, 0, 0);
	struct verdict v;

	reset_world();
	world.peer = (struct peer_facts){ .live = true,
		.uid = 1000,
		.pidfs_ino = 9,
		.granted = true };
	judge(DB, &m, &v);
	expect_refusal("admit without an inode on a pidfs kernel", &v, "accept",
	    ECONNABORTED, 55, 1000,
	    "the peer's pidfs inode is "
	    "unknown on a kernel that has pidfs");
	m.admit.peer_ino = 9;
	judge(DB, &m, &v);
	expect_answer("admit of a granted peer", &v, WIRE_ALLOW);
	expect_asked("admit of a granted peer", FACT_PEER);
	world.peer.pidfs_ino = 0;
	m.admit.peer_ino = 0;
	judge(DB, &m, &v);
	expect_answer("admit of a granted peer, no pidfs", &v, WIRE_ALLOW);
	world.peer.pidfs_ino = 9;
	m.admit.peer_ino = 8;
	judge(DB, &m, &v);
	tap_ok(v.kind == VERDICT_DEFER,
	    "admit of a pid reuser of a granted process: deferred");
	expect_asked("pid reuser", FACT_PEER | FACT_EXITED_GRANT);
	world.may_defer = false;
	judge(DB, &m, &v);
	expect_refusal("pid reuser, caught up", &v, "accept", ECONNABORTED, 55,
	    1000,
	    "peer reuses the pid of a process that held a "
	    "capability");
	m.admit.peer_ino = 9;
	m.admit.peer_uid = 1001;
	judge(DB, &m, &v);
	expect_refusal("same inode, another uid", &v, "accept", ECONNABORTED,
	    55, 1001,
	    "peer reuses the pid of a process that held a "
	    "capability");
	world.peer.granted = false;
	judge(DB, &m, &v);
	expect_refusal("another uid, nothing granted", &v, "accept",
	    ECONNABORTED, 55, 1001, "pid 55 holds no capability to service db");
}

static void
test_admit_answers(void)
{
	union wire_msg m = admit_msg(55, 9, 0);
	struct verdict v;

	reset_world();
	judge(DB, &m, &v);
	tap_ok(v.kind == VERDICT_DEFER, "admit of a stranger: deferred");
	world.exited_grant = true;
	judge(DB, &m, &v);
	expect_answer("admit of a granted process since exited", &v,
	    WIRE_ALLOW_ONCE);
	world.exited_grant = false;
	m.admit.socktype = WIRE_SOCK_DGRAM;
	m.admit.from_len = 6;
	world.from_provider = true;
	judge(DB, &m, &v);
	expect_answer("a provider's datagram answer", &v, WIRE_ALLOW_ONCE);
	expect_asked("a provider's datagram answer",
	    FACT_PEER | FACT_FROM_PROVIDER);
	world.from_provider = false;
	m.admit.peer_ino = 0;
	judge(DB, &m, &v);
	expect_refusal("stranger without an inode: never deferred", &v,
	    "accept", ECONNABORTED, 55, 1000,
	    "pid 55 holds no capability to service db");
	expect_asked("stranger without an inode",
	    FACT_PEER | FACT_FROM_PROVIDER | FACT_EXITED_GRANT);
	world.peer = (struct peer_facts){ .live = true,
		.uid = 1000,
		.granted = false };
	judge(WEB, &m, &v);
	expect_refusal("admit of a process granted nothing", &v, "accept",
	    ECONNABORTED, 55, 1000,
	    "pid 55 holds no capability to service web");
	expect_asked("admit of a process granted nothing",
	    FACT_PEER | FACT_FROM_PROVIDER);
}

int
main(void)
{
	if (!judge_init())
		return tap_done();
	test_bind();
	test_listen();
	test_nameof();
	test_dial();
	test_waited();
	test_claim();
	test_report();
	test_exec();
	test_hello();
	test_admit_unidentified();
	test_admit_remembered();
	test_admit_peer();
	test_admit_answers();
	policy_free(pol);
	return tap_done();
}
