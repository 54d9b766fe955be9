/*
 * Cutting a socket the shim refuses (neutralize.c).
 */
#ifndef CAPSHIM_NEUTRALIZE_H
#define CAPSHIM_NEUTRALIZE_H

/*
 * Replace fd's socket with a fresh unconnected one of the same type and
 * flags, so a connection the shim refuses after the real connect() is cut
 * (the other end reads EOF) while the program's descriptor stays valid.
 */
void neutralize_socket(int fd);

#endif
