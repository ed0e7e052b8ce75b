/**
 * Floors for the webhook benchmark: bare Node HTTPS servers with no framework, no logging, no metrics.
 * - `fixed`: reads the body and answers a fixed "allowed" AdmissionReview. What any Node webhook
 *   costs at least (the floor the issue names).
 * - `validate`: also parses the body and runs the same validation core on the object, then answers
 *   the fixed "allowed". The work any correct webhook must do; the gap between it and the real
 *   webhook is what our server adds (routing, logging, metrics, the response it builds).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { validateConfig } from '../../core';

const [certFile, keyFile, port, mode = 'fixed'] = process.argv.slice(2) as [string, string, string, string?];
const answer = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { uid: 'fixed', allowed: true },
});

createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), keepAliveTimeout: 30_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => {
    if (mode === 'validate') chunks.push(chunk);
  });
  req.on('end', () => {
    if (mode === 'validate') validateConfig(JSON.parse(Buffer.concat(chunks).toString('utf8')).request.object);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
    res.end(answer);
  });
}).listen(Number(port), '127.0.0.1', () => process.stdout.write('listening\n'));
