#!/usr/bin/perl
# An ordinary abstract-socket server written with Perl's IO::Socket::UNIX,
# with nothing of capwrap in it: bind @NAME, listen, and answer each line
# of each connection with "echo LINE", one connection after another.
# Usage: pl-echo-server.pl NAME
use strict;
use warnings;
use IO::Socket::UNIX;

my $server = IO::Socket::UNIX->new(
	Type   => SOCK_STREAM,
	Local  => "\0$ARGV[0]",
	Listen => 5,
) or die "listen: $!\n";
$| = 1;
print "listening\n";
# accept returns undef only on an error; a refused dialer is a connection
# that has already hung up, so the loop goes on.
while (1) {
	my $conn = $server->accept or next;
	while (my $line = <$conn>) {
		print $conn "echo $line";
		$conn->flush;
	}
	close $conn;
}
