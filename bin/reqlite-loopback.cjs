#!/usr/bin/env node
'use strict';
// Runs reqlite (an in-memory RethinkDB server in JavaScript) on 127.0.0.1 only, on a port the
// OS picks (or --port N), and reports {port} to the parent over IPC (or prints it).
// Why a wrapper: reqlite binds every interface, treats port 0 as 28015, and leaves Nagle on;
// it accepts user `admin` with any password, runs r.js with eval (and r.http with a real HTTP
// client), and runs `match` with a backtracking RegExp. So: loopback only; the parent sends a
// password over IPC before we listen ({type: 'credential', password}; run by hand, a random one
// is printed with the port) and every connection proves it (./reqlite-handshake.cjs) before
// reqlite sees a byte; r.js and r.http are refused; `match` runs on RE2 (re2js).
const crypto = require('node:crypto');
const net = require('node:net');
const Promise = require('bluebird');
const Server = require('reqlite');
const Connection = require('reqlite/lib/connection.js');
const Query = require('reqlite/lib/query.js');
const constants = require('reqlite/lib/constants.js');
const { ReqlRuntimeError } = require('reqlite/lib/error.js');
const util = require('reqlite/lib/utils.js');
const { RE2JS } = require('re2js');
const { serverKeys, acceptHandshake } = require('./reqlite-handshake.cjs');

const portArg = process.argv.indexOf('--port');
const requestedPort = portArg === -1 ? 0 : Number(process.argv[portArg + 1]);
if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
  process.stderr.write(`reqlite-loopback: --port must be an integer in 0..65535\n`);
  process.exit(2);
}

// reqlite keys databases, tables, documents and indexes by name in plain objects, so "constructor"
// or "__proto__" (valid RethinkDB names and primary keys) hit Object.prototype: createDatabase
// ("constructor") said it already exists and tables(db: "__proto__") failed. A setter on each
// prototype gives the object its constructor assigns a null prototype.
for (const [Class, key] of [
  [Server, 'databases'],
  [require('reqlite/lib/database.js'), 'tables'],
  [require('reqlite/lib/table.js'), 'documents'],
  [require('reqlite/lib/table.js'), 'indexes'],
]) {
  Object.defineProperty(Class.prototype, key, {
    configurable: true,
    set(value) {
      Object.defineProperty(this, key, { value: Object.assign(Object.create(null), value), writable: true, enumerable: true, configurable: true });
    },
  });
}

// Code execution and outbound requests from inside the database: the gateway never sends
// either, and reqlite's r.js is a plain eval with `require` in reach. Refused when evaluated,
// which also covers an r.js stored in an index function. (A bluebird promise, as reqlite's
// callers chain bluebird-only methods on what terms return.)
constants.ENABLE_JS = false;
Query.prototype.javascript = function refuseJavascript() {
  return Promise.reject(new ReqlRuntimeError('r.js is refused by the gateway\'s embedded database', this.frames));
};
Query.prototype.http = function refuseHttp() {
  return Promise.reject(new ReqlRuntimeError('r.http is refused by the gateway\'s embedded database', this.frames));
};

// reqlite runs `match` with a backtracking JavaScript RegExp: `^(a+)+$` on 28 characters stalled
// it for a second, doubling per character. RethinkDB uses RE2; so does this, through re2js (RE2
// in JavaScript, linear time), which also reads inline flags such as (?i) as RethinkDB does.
// Same shape as reqlite's own result ({start, end, str, groups}).
const compiledPatterns = new Map(); // pattern -> RE2JS, the most recent few (one query, many rows)
function compilePattern(pattern, query) {
  let regex = compiledPatterns.get(pattern);
  if (regex) return regex;
  try {
    regex = RE2JS.compile(pattern);
  } catch (error) {
    throw new ReqlRuntimeError(`Error in regexp \`${pattern}\` (RE2): ${error.message}`, query.frames);
  }
  if (compiledPatterns.size >= 64) compiledPatterns.delete(compiledPatterns.keys().next().value);
  compiledPatterns.set(pattern, regex);
  return regex;
}
Query.prototype.match = function matchWithRe2(args, options, internalOptions) {
  const query = this;
  util.assertArity(2, args, query);
  query.frames.push(0);
  return query
    .evaluate(args[0], internalOptions)
    .bind({})
    .then(function evaluatePattern(text) {
      util.assertType(text, 'STRING', query);
      query.frames.pop();
      this.text = text;
      query.frames.push(1);
      return query.evaluate(args[1], internalOptions);
    })
    .then(function runPattern(pattern) {
      util.assertType(pattern, 'STRING', query);
      query.frames.pop();
      const found = compilePattern(pattern, query).exec(this.text);
      if (found === null) return null;
      return { start: found.index, end: found.index + found[0].length, str: found[0], groups: found.slice(1) };
    });
};

let keys; // set before the server listens
let printedPassword; // only when run by hand (no IPC)

Server.prototype._createServer = function createLoopbackServer() {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    acceptHandshake(socket, keys, (rest) => {
      // reqlite's Connection starts at its own handshake (state 0): skip it, the client has
      // already authenticated, and feed it what followed the handshake.
      const connection = new Connection(socket, this, {
        version: this.protocolVersion,
        authKey: this.authKey,
        minProtocolVersion: this.minProtocolVersion,
        maxProtocolVersion: this.maxProtocolVersion,
      });
      connection.state = 3;
      connection.buffer = rest;
      this._connections[connection.id] = connection;
      if (rest.length > 0) connection.read();
    });
  });
  server.on('error', (error) => {
    process.stderr.write(`reqlite-loopback: ${error.message}\n`);
    process.exit(1);
  });
  server.listen(requestedPort, '127.0.0.1', () => {
    this.port = server.address().port;
    const message = { type: 'listening', host: '127.0.0.1', port: this.port, user: 'admin' };
    if (process.send) process.send(message);
    else process.stdout.write(`${JSON.stringify({ ...message, password: printedPassword })}\n`);
  });
  return server;
};

function start(password) {
  if (keys) return;
  keys = serverKeys('admin', password);
  new Server({ silent: true });
}

if (process.send) {
  process.on('message', (message) => {
    if (message && message.type === 'credential' && typeof message.password === 'string' && message.password.length >= 16) start(message.password);
  });
} else {
  printedPassword = crypto.randomBytes(24).toString('base64url');
  start(printedPassword);
}

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
