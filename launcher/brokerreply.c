/*
 * The broker's replies (brokerreply.h).
 */
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>

#include "brokerreply.h"
#include "reappage.h"
#include "sysio.h"
#include "transport.h"

/*
 * With the reap page attached if the asker has none (reappage.h), and
 * the service's end of its claim queue if claims is one (claimqueue.h).
 */
static void
send_reply_with(int fd, union wire_msg *m, bool want_page, int claims)
{
	int fds[2], n = 0, page = want_page ? reappage_fd() : -1;

	/* A one-way request (WIRE_CLAIM) has no reply socket. */
	if (fd < 0)
		return;
	if (page >= 0) {
		m->reply.flags |= WIRE_REPLY_PAGE;
		fds[n++] = page;
	}
	if (claims >= 0) {
		m->reply.flags |= WIRE_REPLY_CLAIMS;
		fds[n++] = claims;
	}
	/* A dead asker is no error: its reply socket just has no reader. */
	(void)transport_send(fd, m, sizeof(m->reply), n > 0 ? fds : NULL, n,
	    MSG_DONTWAIT, &sysio_libc);
	close(fd);
}

void
send_reply_page(int fd, union wire_msg *m, bool want_page)
{
	send_reply_with(fd, m, want_page, -1);
}

void
send_reply(int fd, union wire_msg *m)
{
	send_reply_page(fd, m, false);
}

/* An admission, saying whether the launcher alone reaps the peer. */
void
reply_admitted(const struct request *rq)
{
	const struct wire_admit *a = &rq->msg.admit;
	struct proc *peer = registry_find_proc(a->peer_pid);
	union wire_msg m;

	wire_init(&m, WIRE_REPLY);
	m.reply.verdict = WIRE_ALLOW;
	if (peer != NULL && a->peer_ino != 0 &&
	    peer->pidfs_ino == a->peer_ino && reappage_reaps(peer))
		m.reply.flags |= WIRE_REPLY_REAPED;
	send_reply_page(rq->reply_fd, &m, a->flags & WIRE_ADMIT_PAGE);
}

void
reply_verdict(int fd, enum wire_verdict v, int error)
{
	union wire_msg m;

	wire_init(&m, WIRE_REPLY);
	m.reply.verdict = (uint16_t)v;
	m.reply.error = error;
	send_reply(fd, &m);
}

void
reply_grant(int fd, const struct registration *r, bool want_page, int claims)
{
	union wire_msg m;

	wire_init(&m, WIRE_REPLY);
	m.reply.verdict = WIRE_GRANT;
	m.reply.stamp.pid = r->owner->pid;
	m.reply.stamp.uid = r->owner->uid;
	m.reply.stamp.pidfs_ino = r->owner->pidfs_ino;
	m.reply.stamp.start_time = r->owner->start_time;
	m.reply.stamp.sock_ino = r->sock_ino;
	/*
	 * The owner lives (live_registration()), and this launcher reaps
	 * only after it has moved the epoch: whoever reads this epoch on the
	 * page later knows the owner was not reaped in between.
	 */
	if (reappage_reaps(r->owner)) {
		m.reply.stamp.flags |= WIRE_STAMP_REAPED;
		m.reply.stamp.reap_epoch = reappage_epoch_now();
	}
	m.reply.addr_len = r->addr_len;
	memcpy(m.reply.addr, r->addr, r->addr_len);
	send_reply_with(fd, &m, want_page, claims);
}

/* The virtual name of a registration, for a NAMEOF. */
void
reply_name(int fd, const struct verdict *v)
{
	union wire_msg m;

	wire_init(&m, WIRE_REPLY);
	m.reply.verdict = (uint16_t)v->answer;
	m.reply.addr_len = (uint16_t)(1 + v->reg->name.len);
	memcpy(m.reply.addr + 1, v->reg->name.bytes, v->reg->name.len);
	send_reply(fd, &m);
}
