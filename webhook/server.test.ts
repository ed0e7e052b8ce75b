import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import pino from 'pino';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '../test/e2e/harness/certificates';
import { loadFixture } from '../test/fixtures';
import { SOURCE_REVIEW_WORKER } from '../test/support/review-worker';
import { MAX_BODY_BYTES, type RunningWebhook, startWebhookServer } from './server';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const dir = mkdtempSync(join(tmpdir(), 'asmpvl-webhook-test-'));
const certFile = join(dir, 'tls.crt');
const keyFile = join(dir, 'tls.key');
let authority: KeyPair;
let webhook: RunningWebhook;

function writeServingPair(ca: KeyPair): void {
  const serving = issueCertificate(ca, { commonName: 'asmpvl-webhook', usage: 'server', ipAddresses: ['127.0.0.1'] });
  writeFileSync(certFile, serving.certificatePem);
  writeFileSync(keyFile, serving.privateKeyPem);
}

function send(
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'application/json' },
  ca = authority.certificatePem,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port: webhook.port, method, path, ca, headers, agent: false },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += String(chunk)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const review = (name: string) => JSON.stringify(loadFixture(`admission/${name}`));

beforeAll(async () => {
  authority = createCertificateAuthority('asmpvl-test-ca');
  writeServingPair(authority);
  webhook = await startWebhookServer({
    port: 0,
    host: '127.0.0.1',
    tls: { certFile, keyFile },
    zonePolicy: 'overlap',
    reviewWorker: SOURCE_REVIEW_WORKER,
    logger: pino({ level: 'silent' }),
    tlsReloadIntervalMs: 50,
    processMetrics: false,
    headersTimeoutMs: 300,
    requestTimeoutMs: 600,
  });
});

afterAll(async () => {
  await webhook.drain();
  rmSync(dir, { recursive: true, force: true });
});

describe('reviews over HTTPS', () => {
  test('/validate answers an AdmissionReview with the same apiVersion, kind and uid', async () => {
    const reply = await send('POST', '/validate?timeout=5s', review('create-vendor-example.json'));
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    const answer = JSON.parse(reply.body);
    expect(answer).toMatchObject({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: '8a1d0c4e-1b2f-4c3d-9e5f-6a7b8c9d0e1f', allowed: false, status: { code: 422 } },
    });
  });

  test('/mutate answers with a JSON Patch', async () => {
    const answer = JSON.parse((await send('POST', '/mutate', review('create-needs-normalising.json'))).body);
    expect(answer.response).toMatchObject({
      uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
      allowed: true,
      patchType: 'JSONPatch',
    });
  });
});

describe('bad input gets a clear 4xx and the server keeps serving', () => {
  test.each([
    [
      'wrong content type',
      () => send('POST', '/validate', review('delete.json'), { 'content-type': 'text/plain' }),
      415,
      'content type must be application/json',
    ],
    ['malformed JSON', () => send('POST', '/validate', '{"kind": "AdmissionReview",'), 400, 'body is not valid JSON'],
    ['a JSON array', () => send('POST', '/mutate', '[]'), 400, 'the body is not a JSON object'],
    [
      'a v1beta1 review',
      () => send('POST', '/validate', review('delete.json').replace('admission.k8s.io/v1', 'admission.k8s.io/v1beta1')),
      400,
      'apiVersion must be admission.k8s.io/v1',
    ],
    [
      'a review without uid',
      () =>
        send(
          'POST',
          '/validate',
          JSON.stringify({
            apiVersion: 'admission.k8s.io/v1',
            kind: 'AdmissionReview',
            request: { operation: 'CREATE' },
          }),
        ),
      400,
      'request.uid is missing',
    ],
    [
      'a body over the limit',
      () => send('POST', '/validate', Buffer.alloc(MAX_BODY_BYTES + 1024, 0x20)),
      413,
      'body larger than',
    ],
    ['GET on a review endpoint', () => send('GET', '/validate'), 405, 'use POST'],
    ['an unknown path', () => send('POST', '/admit', '{}'), 404, 'not found'],
  ])('%s', async (_name, call, status, message) => {
    const reply = await call();
    expect(reply.status).toBe(status);
    expect(JSON.parse(reply.body)).toMatchObject({
      kind: 'Status',
      code: status,
      message: expect.stringContaining(message),
    });
    expect((await send('POST', '/validate', review('delete.json'))).status).toBe(200);
  });

  test('a client that stalls mid-headers is cut off', async () => {
    const socket = connect({ host: '127.0.0.1', port: webhook.port, ca: authority.certificatePem });
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    socket.write('POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const closedAfter = await new Promise<number>((resolve) => {
      const started = Date.now();
      socket.on('data', () => undefined);
      socket.once('close', () => resolve(Date.now() - started));
    });
    expect(closedAfter).toBeLessThan(5_000);
    expect((await send('POST', '/validate', review('delete.json'))).status).toBe(200);
  });
});

describe('health, readiness and metrics', () => {
  test('/healthz and /readyz answer ok', async () => {
    expect(await send('GET', '/healthz')).toMatchObject({ status: 200, body: 'ok' });
    expect(await send('GET', '/readyz')).toMatchObject({ status: 200, body: 'ok' });
  });

  test('/metrics counts reviews by endpoint and verdict, with a latency histogram', async () => {
    await send('POST', '/validate', review('create-wrong-name.json'));
    const metrics = (await send('GET', '/metrics')).body;
    expect(metrics).toMatch(/asmpvl_webhook_reviews_total\{endpoint="validate",verdict="denied"\} [1-9]/);
    expect(metrics).toMatch(/asmpvl_webhook_reviews_total\{endpoint="mutate",verdict="patched"\} [1-9]/);
    expect(metrics).toMatch(/asmpvl_webhook_reviews_total\{endpoint="validate",verdict="bad_request"\} [1-9]/);
    expect(metrics).toMatch(/asmpvl_webhook_review_duration_seconds_count\{endpoint="validate"\} [1-9]/);
  });
});

describe('certificate reload', () => {
  // Generating a CA key takes seconds on a busy machine.
  test('a new certificate is served without a restart; a broken pair is refused and the old one kept', async () => {
    const before = readFileSync(certFile, 'utf8');
    const next = createCertificateAuthority('asmpvl-rotated-ca');
    writeServingPair(next);
    await expect(eventuallyServes(next)).resolves.toBe(true);
    await expect(send('GET', '/healthz', undefined, {}, authority.certificatePem)).rejects.toThrow();
    // A key that does not match the certificate: the server must keep the last good pair.
    writeFileSync(certFile, before);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await send('GET', '/healthz', undefined, {}, next.certificatePem)).status).toBe(200);
    authority = next;
  }, 30_000);
});

async function eventuallyServes(ca: KeyPair): Promise<boolean> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    try {
      if ((await send('GET', '/healthz', undefined, {}, ca.certificatePem)).status === 200) return true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return false;
}

describe('drain', () => {
  test('a review in flight when draining starts is answered; new connections are refused', async () => {
    writeServingPair(authority);
    const draining = await startWebhookServer({
      port: 0,
      host: '127.0.0.1',
      tls: { certFile, keyFile },
      zonePolicy: 'overlap',
      reviewWorker: SOURCE_REVIEW_WORKER,
      logger: pino({ level: 'silent' }),
      processMetrics: false,
    });
    const body = review('create-vendor-example.json');
    const answer = new Promise<Reply>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: draining.port,
          method: 'POST',
          path: '/validate',
          ca: authority.certificatePem,
          agent: false,
          headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk) => (text += String(chunk)));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 100));
      setTimeout(() => req.end(body.slice(100)), 300);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const drained = draining.drain();
    const reply = await answer;
    expect(reply.status).toBe(200);
    expect(reply.headers.connection).toBe('close');
    expect(JSON.parse(reply.body).response.uid).toBe('8a1d0c4e-1b2f-4c3d-9e5f-6a7b8c9d0e1f');
    await drained;
    await expect(
      new Promise((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: draining.port, ca: authority.certificatePem }, () =>
          resolve('connected'),
        );
        socket.on('error', reject);
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
    // Issuing a certificate takes seconds on a busy machine.
  }, 30_000);
});
