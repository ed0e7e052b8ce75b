/**
 * The floor for the webhook benchmark: a bare Node HTTPS server that reads the body and answers a
 * fixed "allowed" AdmissionReview. No parsing, no validation: what any Node webhook costs at least.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const [certFile, keyFile, port] = process.argv.slice(2) as [string, string, string];
const answer = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'fixed', allowed: true } });

createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), keepAliveTimeout: 30_000 }, (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
    res.end(answer);
  });
}).listen(Number(port), '127.0.0.1', () => process.stdout.write('listening\n'));
