/*
 * The broker's answers on a request's reply socket (brokerreply.c): each
 * sent at most once, never waiting (a dead asker's socket has no
 * reader), the reply end closed after.
 */
#ifndef CAPWRAP_BROKERREPLY_H
#define CAPWRAP_BROKERREPLY_H

#include <stdbool.h>

#include "registry.h"
#include "request.h"
#include "decide.h"
#include "wire.h"

/* m, with the reap page attached if want_page and there is one. */
void send_reply_page(int fd, union wire_msg *m, bool want_page);
void send_reply(int fd, union wire_msg *m);
/* An admission, saying whether the launcher alone reaps the peer. */
void reply_admitted(const struct request *);
void reply_verdict(int fd, enum wire_verdict, int error);
/*
 * A capability: the registration's stamp and minted address, with the
 * service's end of its claim queue attached unless claims is -1.
 */
void reply_grant(int fd, const struct registration *, bool want_page,
    int claims);
/* The virtual name of a registration, for a NAMEOF. */
void reply_name(int fd, const struct verdict *);

#endif
