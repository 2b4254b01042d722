#!/usr/bin/env node
// A fault-injecting HTTP/1.1 forwarding proxy for the S3 tests: it sits
// between lastgood and the S3 server and, for a seeded random share of the
// requests, misbehaves the way real networks and servers do:
//   500       HTTP 500 InternalError (XML body)
//   503       HTTP 503 SlowDown (XML body), as S3 throttles
//   stall     reads the request, then says nothing for --stall-ms, then hangs up
//   truncate  forwards the answer with its full Content-Length, sends half the body, hangs up
//   drop      closes the connection without an answer
// Prints "endpoint=http://127.0.0.1:PORT" once listening; stops when its
// stdin closes. Options:
//   --upstream URL   --seed N   --rate 0..1   --stall-ms N
//   --faults 500,503,stall,truncate,drop   --objects-only (spare listings)
//   --from-byte N    only ranged GETs starting at byte N or later misbehave
//                    (a part failing mid-way through an object)
//   --log FILE       appends "METHOD RANGE" (or "-") per request, to count them
//   --body-log FILE  appends "METHOD PATH BYTES" per forwarded answer: the body
//                    bytes actually sent (what a client really read)
'use strict';
const http = require('http');

const options = { upstream: '', seed: 1, rate: 0.3, stallMs: 3000, faults: '500,503,stall,truncate,drop', objectsOnly: false, fromByte: 0, log: '', bodyLog: '' };
for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i];
  if (arg === '--upstream') options.upstream = process.argv[++i];
  else if (arg === '--seed') options.seed = Number(process.argv[++i]);
  else if (arg === '--rate') options.rate = Number(process.argv[++i]);
  else if (arg === '--stall-ms') options.stallMs = Number(process.argv[++i]);
  else if (arg === '--faults') options.faults = process.argv[++i];
  else if (arg === '--objects-only') options.objectsOnly = true;
  else if (arg === '--from-byte') options.fromByte = Number(process.argv[++i]);
  else if (arg === '--log') options.log = process.argv[++i];
  else if (arg === '--body-log') options.bodyLog = process.argv[++i];
  else {
    console.error(`fault-proxy: unknown argument ${arg}`);
    process.exit(2);
  }
}
const upstream = new URL(options.upstream);
const fs = require('fs');
const faults = options.faults.split(',').filter(Boolean);

// mulberry32: small, seeded, the same sequence every run.
let state = options.seed >>> 0;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const counts = {};
function errorXml(code, message) {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

function forward(req, res, truncate) {
  const upstreamReq = http.request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
    upstreamRes => {
      res.writeHead(upstreamRes.statusCode, upstreamRes.headers);
      if (!truncate) {
        if (options.bodyLog) {
          let sent = 0;
          upstreamRes.on('data', c => (sent += c.length));
          upstreamRes.on('end', () =>
            fs.appendFileSync(options.bodyLog, `${req.method} ${req.url.split('?')[0]} ${sent}\n`),
          );
        }
        upstreamRes.pipe(res);
        return;
      }
      const chunks = [];
      upstreamRes.on('data', c => chunks.push(c));
      upstreamRes.on('end', () => {
        const body = Buffer.concat(chunks);
        res.write(body.subarray(0, Math.floor(body.length / 2)));
        setTimeout(() => res.socket && res.socket.destroy(), 10);
      });
    },
  );
  upstreamReq.on('error', () => res.socket && res.socket.destroy());
  req.pipe(upstreamReq);
}

const server = http.createServer((req, res) => {
  const isListing = /[?&]list-type=2/.test(req.url) || req.url.split('?')[0].split('/').filter(Boolean).length < 2;
  const range = /^bytes=(\d+)-/.exec(req.headers.range || '');
  if (options.log) fs.appendFileSync(options.log, `${req.method} ${req.headers.range || '-'}\n`);
  const eligible =
    !(options.objectsOnly && isListing) && (options.fromByte === 0 || (range && Number(range[1]) >= options.fromByte));
  const fault = eligible && random() < options.rate ? faults[Math.floor(random() * faults.length)] : 'none';
  counts[fault] = (counts[fault] || 0) + 1;
  switch (fault) {
    case '500':
      req.resume();
      res.writeHead(500, { 'Content-Type': 'application/xml' });
      res.end(errorXml('InternalError', 'We encountered an internal error. Please try again.'));
      return;
    case '503':
      req.resume();
      res.writeHead(503, { 'Content-Type': 'application/xml' });
      res.end(errorXml('SlowDown', 'Please reduce your request rate.'));
      return;
    case 'stall':
      req.resume();
      setTimeout(() => req.socket.destroy(), options.stallMs);
      return;
    case 'drop':
      req.socket.destroy();
      return;
    case 'truncate':
      // Only an answer with a body can be cut short.
      forward(req, res, req.method === 'GET');
      return;
    default:
      forward(req, res, false);
  }
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`endpoint=http://127.0.0.1:${server.address().port}\n`);
});
function stop() {
  console.error(`fault-proxy: ${JSON.stringify(counts)}`);
  process.exit(0);
}
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
