#!/usr/bin/ruby
# The client half: connect to @NAME, send MESSAGE, print the reply line.
# A socket error is printed as "error ERRNO-NAME" with exit status 3.
# Usage: rb-echo-client.rb NAME MESSAGE
require "socket"

$stdout.sync = true
name, message = ARGV
begin
  client = UNIXSocket.new("\0" + name)
  client.write(message + "\n")
  reply = client.gets
rescue SystemCallError => e
  puts "error #{e.class.name.split('::').last}"
  exit 3
end
puts "reply #{reply ? reply.chomp : '(eof)'}"
