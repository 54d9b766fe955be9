// The client half: net.connect("\0NAME"), which libuv dials with NAME
// padded with NULs to the end of sun_path; send MESSAGE, print the reply
// line as "reply LINE".  An error is printed as "error CODE", exit 3.
// Usage: node node-echo-client.js NAME MESSAGE
"use strict";
const net = require("net");

const [name, message] = process.argv.slice(2);
const conn = net.connect("\0" + name);
let got = "";
conn.on("connect", () => conn.write(message + "\n"));
conn.on("data", (data) => {
	got += data;
});
conn.on("end", () => {
	console.log("reply", got ? got.split("\n")[0] : "(eof)");
});
conn.on("error", (e) => {
	console.log("error", e.code);
	process.exitCode = 3;
});
