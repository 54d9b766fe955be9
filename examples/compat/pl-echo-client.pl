#!/usr/bin/perl
# The client half: connect to @NAME, send MESSAGE, print the reply line.
# A socket error is printed as "error ERRNO-NAME" with exit status 3.
# Usage: pl-echo-client.pl NAME MESSAGE
use strict;
use warnings;
use Errno;
use IO::Socket::UNIX;

$SIG{PIPE} = 'IGNORE';
$| = 1;
my ($name, $message) = @ARGV;
sub fail {
	my ($err) = grep { $!{$_} } keys %!;
	print "error ", $err // ($! + 0), "\n";
	exit 3;
}
my $client = IO::Socket::UNIX->new(Type => SOCK_STREAM, Peer => "\0$name")
	or fail();
print $client "$message\n" or fail();
$client->flush or fail();
my $reply = <$client>;
fail() if !defined $reply && $! && !$!{EBADF};
if (defined $reply) {
	chomp $reply;
	print "reply $reply\n";
} else {
	print "reply (eof)\n";
}
