'use strict';
// The RethinkDB V1_0 handshake (SCRAM-SHA-256), checked for real. reqlite's own handshake
// answers every client as user `admin` with an empty password and never checks the proof, so
// any local process could reach the gateway's data and bypass every permission. The launcher
// runs this first and hands the socket to reqlite only once the client proved the password.
const crypto = require('node:crypto');

const VERSION_V1_0 = 0x34c2bdc3;
const ITERATIONS = 4096;
const KEY_LENGTH = 32;
/** Bytes a client may send before it is authenticated (a real handshake is ~300). */
const MAX_HANDSHAKE_BYTES = 4096;
/** A client that does not finish the handshake within this time is dropped. */
const HANDSHAKE_TIMEOUT_MS = 10_000;
const NULL = Buffer.from([0]);

const hmac = (key, text) => crypto.createHmac('sha256', key).update(text).digest();
const sha256 = (data) => crypto.createHash('sha256').update(data).digest();

/**
 * Derives the keys a server keeps for one user (RFC 5802: the password itself is not kept).
 * @param {string} user the only user accepted
 * @param {string} password its password
 */
function serverKeys(user, password) {
  const salt = crypto.randomBytes(16);
  const salted = crypto.pbkdf2Sync(Buffer.from(password), salt, ITERATIONS, KEY_LENGTH, 'sha256');
  return { user, salt: salt.toString('base64'), storedKey: sha256(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

/** `a=1,b=2` -> { a: '1', b: '2' } (values may contain `=`). */
function scramFields(text) {
  const fields = Object.create(null);
  for (const part of String(text).split(',')) {
    const at = part.indexOf('=');
    if (at > 0) fields[part.slice(0, at)] = part.slice(at + 1);
  }
  return fields;
}

/**
 * Runs the server side of the handshake on `socket`; calls `onAuthenticated(rest)` with the
 * bytes received after it (the first queries) once the client proved the password, or ends the
 * socket with RethinkDB's own error reply ("Wrong password", error_code 12) otherwise.
 */
function acceptHandshake(socket, keys, onAuthenticated) {
  let buffer = Buffer.alloc(0);
  let step = 'version';
  let exchange; // { bare, serverFirst, nonce } after the client's first message
  const timer = setTimeout(() => socket.destroy(), HANDSHAKE_TIMEOUT_MS);
  const reply = (message) => socket.write(Buffer.concat([Buffer.from(JSON.stringify(message)), NULL]));
  const finish = () => {
    clearTimeout(timer);
    socket.removeListener('data', onData);
  };
  const refuse = (error, code) => {
    finish();
    reply({ success: false, error, error_code: code });
    socket.end();
  };
  // One message of the handshake; returns false once the handshake is over (either way).
  const handle = (message) => {
    if (step === 'first') {
      const authentication = typeof message.authentication === 'string' ? message.authentication : '';
      if (message.authentication_method !== 'SCRAM-SHA-256' || !authentication.startsWith('n,,')) return refuse('Unsupported authentication method', 10), false;
      const bare = authentication.slice(3);
      const { n: user, r: clientNonce } = scramFields(bare);
      if (user !== keys.user || !clientNonce) return refuse('Wrong password', 12), false;
      const nonce = clientNonce + crypto.randomBytes(18).toString('base64');
      const serverFirst = `r=${nonce},s=${keys.salt},i=${ITERATIONS}`;
      exchange = { bare, serverFirst, nonce };
      reply({ success: true, authentication: serverFirst });
      step = 'final';
      return true;
    }
    const authentication = typeof message.authentication === 'string' ? message.authentication : '';
    const proofAt = authentication.lastIndexOf(',p=');
    const withoutProof = proofAt < 0 ? '' : authentication.slice(0, proofAt);
    const proof = Buffer.from(proofAt < 0 ? '' : authentication.slice(proofAt + 3), 'base64');
    if (scramFields(withoutProof).r !== exchange.nonce || proof.length !== KEY_LENGTH) return refuse('Wrong password', 12), false;
    const authMessage = `${exchange.bare},${exchange.serverFirst},${withoutProof}`;
    const signature = hmac(keys.storedKey, authMessage);
    const clientKey = Buffer.from(proof.map((byte, i) => byte ^ signature[i]));
    if (!crypto.timingSafeEqual(sha256(clientKey), keys.storedKey)) return refuse('Wrong password', 12), false;
    finish();
    reply({ success: true, authentication: `v=${hmac(keys.serverKey, authMessage).toString('base64')}` });
    onAuthenticated(buffer);
    return false;
  };
  function onData(chunk) {
    buffer = Buffer.concat([buffer, chunk]);
    if (buffer.length > MAX_HANDSHAKE_BYTES) return refuse('Handshake too long', 10);
    if (step === 'version') {
      if (buffer.length < 4) return;
      const version = buffer.readUInt32LE(0);
      buffer = buffer.subarray(4);
      if (version !== VERSION_V1_0) return refuse('Unsupported protocol version (this server speaks V1_0 only)', 10);
      reply({ success: true, min_protocol_version: 0, max_protocol_version: 0, server_version: '2.4.0-reqlite' });
      step = 'first';
    }
    for (let end = buffer.indexOf(0); end >= 0; end = buffer.indexOf(0)) {
      let message;
      try {
        message = JSON.parse(buffer.subarray(0, end).toString('utf8'));
      } catch {
        return refuse('Malformed handshake message', 10);
      }
      buffer = buffer.subarray(end + 1);
      if (typeof message !== 'object' || message === null || !handle(message)) return;
    }
  }
  socket.on('data', onData);
}

module.exports = { serverKeys, acceptHandshake };
