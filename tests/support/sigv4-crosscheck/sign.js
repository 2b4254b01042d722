#!/usr/bin/env node
// Signs requests with AWS's own SigV4 implementation (@smithy/signature-v4,
// the signer inside the AWS SDK for JavaScript v3, with @aws-crypto/sha256-js)
// so tests/unit/storage/sigv4_crosscheck_test.cpp can compare lastgood's
// signer with it. Reads a JSON array of requests on stdin, prints a JSON
// array of Authorization header values in the same order.
//   request: {method, path (as sent: already URI-encoded), query: [[name, value]],
//             headers: [[name, value]] (no x-amz-date / x-amz-security-token),
//             service, region, date ("20150830T123600Z"),
//             access_key_id, secret_access_key, session_token}
'use strict';
const path = require('path');

const modules = process.env.LASTGOOD_NODE_MODULES || path.join(__dirname, '..', '..', 'node', 'node_modules');
let SignatureV4, Sha256;
try {
  ({ SignatureV4 } = require(path.join(modules, '@smithy', 'signature-v4')));
  ({ Sha256 } = require(path.join(modules, '@aws-crypto', 'sha256-js')));
} catch (e) {
  console.error(`sign.js: cannot load @smithy/signature-v4 from ${modules} (${e.message}); run scripts/setup-deps`);
  process.exit(2);
}

function toDate(amzDate) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

async function sign(r) {
  const signer = new SignatureV4({
    service: r.service,
    region: r.region,
    credentials: {
      accessKeyId: r.access_key_id,
      secretAccessKey: r.secret_access_key,
      sessionToken: r.session_token || undefined,
    },
    sha256: Sha256,
    // S3 paths are encoded once (as sent); every other service encodes again.
    uriEscapePath: r.service !== 's3',
    applyChecksum: false,
  });
  const headers = {};
  for (const [name, value] of r.headers) headers[name] = value;
  const query = {};
  for (const [name, value] of r.query) query[name] = value;
  const host = headers.host || headers.Host;
  const signed = await signer.sign(
    { method: r.method, protocol: 'https:', hostname: host, path: r.path, query, headers },
    { signingDate: toDate(r.date) },
  );
  return signed.headers.authorization;
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', chunk => (input += chunk));
process.stdin.on('end', async () => {
  const requests = JSON.parse(input);
  const out = [];
  for (const r of requests) out.push(await sign(r));
  process.stdout.write(JSON.stringify(out) + '\n');
});
