#!/usr/bin/ruby
# An ordinary abstract-socket server written with Ruby's UNIXServer, with
# nothing of capwrap in it: bind @NAME, listen, and answer each line of
# each connection with "echo LINE", each connection in a thread.
# Usage: rb-echo-server.rb NAME
require "socket"

server = UNIXServer.new("\0" + ARGV[0])
$stdout.sync = true
puts "listening on #{server.local_address.unix_path.inspect}"
loop do
  conn = server.accept
  Thread.new(conn) do |c|
    c.each_line { |line| c.write("echo " + line) }
  rescue SystemCallError
  ensure
    c.close
  end
end
