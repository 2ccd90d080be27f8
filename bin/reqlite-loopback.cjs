#!/usr/bin/env node
'use strict';
// Runs reqlite (an in-memory RethinkDB server in JavaScript) on 127.0.0.1 only, on a port the
// OS picks (or --port N), and reports {port} to the parent over IPC (or prints it).
// Why a wrapper: reqlite binds every interface, treats port 0 as 28015, and leaves Nagle on;
// it also runs r.js with eval, so it must never be reachable from another host.
const net = require('node:net');
const Server = require('reqlite');

const portArg = process.argv.indexOf('--port');
const requestedPort = portArg === -1 ? 0 : Number(process.argv[portArg + 1]);
if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
  process.stderr.write(`reqlite-loopback: --port must be an integer in 0..65535\n`);
  process.exit(2);
}

Server.prototype._createServer = function createLoopbackServer() {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const Connection = require('reqlite/lib/connection.js');
    const connection = new Connection(socket, this, {
      version: this.protocolVersion,
      authKey: this.authKey,
      minProtocolVersion: this.minProtocolVersion,
      maxProtocolVersion: this.maxProtocolVersion,
    });
    this._connections[connection.id] = connection;
  });
  server.on('error', (error) => {
    process.stderr.write(`reqlite-loopback: ${error.message}\n`);
    process.exit(1);
  });
  server.listen(requestedPort, '127.0.0.1', () => {
    this.port = server.address().port;
    const message = { type: 'listening', host: '127.0.0.1', port: this.port };
    if (process.send) process.send(message);
    else process.stdout.write(`${JSON.stringify(message)}\n`);
  });
  return server;
};

new Server({ silent: true });

// The parent owns this process: when it goes away (IPC channel closed), so do we.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));

// reqlite answers a feed's pending CONTINUE after the client already STOPped it, and then reads
// the deleted query (`self.queries[token].token` in lib/connection.js): a TypeError in a
// bluebird promise that bluebird prints as "Unhandled rejection" with a stack trace. The feed is
// gone either way and the server carries on; this is the normal end of a closed changefeed, so it
// is not reported. Any other unhandled rejection still is.
process.on('unhandledRejection', (reason) => {
  const stack = reason instanceof Error ? String(reason.stack) : '';
  if (reason instanceof TypeError && /reading 'token'/.test(reason.message) && /reqlite[\\/]lib[\\/]connection\.js/.test(stack)) return;
  process.stderr.write(`reqlite-loopback: unhandled rejection: ${stack || String(reason)}\n`);
});
