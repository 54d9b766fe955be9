// The server half, as node writes it: net.createServer().listen("\0NAME"),
// which libuv binds with NAME padded with NULs to the end of sun_path.
// Prints what server.address() says once listening, then answers each
// connection's first line with "echo LINE".
// Usage: node node-echo-server.js NAME
"use strict";
const net = require("net");

const server = net.createServer((conn) => {
	let got = "";
	conn.on("error", () => {});
	conn.on("data", (data) => {
		got += data;
		const end = got.indexOf("\n");
		if (end >= 0)
			conn.end("echo " + got.slice(0, end) + "\n");
	});
});
server.listen("\0" + process.argv[2], () => {
	console.log("listening", JSON.stringify(server.address()));
});
