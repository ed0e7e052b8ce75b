// The HTTP server under hostile reviews: every class of input gets an answer with the right status,
// and the server keeps serving. Logging runs at debug (into a sink) so the log lines are built too.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { connect as tcpConnect } from 'node:net';
import fc from 'fast-check';
import pino from 'pino';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '../test/e2e/harness/certificates';
import {
  clustersNeedingRewrites,
  deepArb,
  hostileConfigArb,
  nestedJson,
  stringifyDeep,
  wrongTypeArb,
} from '../test/arbitraries/hostile';
import { loadFixture } from '../test/fixtures';
import { MAX_LISTED_FINDINGS } from './handlers';
import { type RunningWebhook, startWebhookServer } from './server';

interface Reply {
  status: number;
  body: string;
}

const dir = mkdtempSync(join(tmpdir(), 'asmpvl-webhook-hostile-'));
let authority: KeyPair;
let webhook: RunningWebhook;
let logLines = 0;

function send(path: string, body: string | Buffer, port = webhook.port): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        method: path === '/healthz' ? 'GET' : 'POST',
        path,
        ca: authority.certificatePem,
        headers: { 'content-type': 'application/json' },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(path === '/healthz' ? undefined : body);
  });
}

const fixture = loadFixture('admission/create-vendor-example.json') as { request: Record<string, unknown> };
const reviewWith = (request: Record<string, unknown>) => stringifyDeep({ ...fixture, request });
const reviewOfObject = (object: unknown) => reviewWith({ ...fixture.request, object });

beforeAll(async () => {
  authority = createCertificateAuthority('asmpvl-hostile-ca');
  const serving = issueCertificate(authority, { commonName: 'webhook', usage: 'server', ipAddresses: ['127.0.0.1'] });
  writeFileSync(join(dir, 'tls.crt'), serving.certificatePem);
  writeFileSync(join(dir, 'tls.key'), serving.privateKeyPem);
  const sink = new Writable({ write: (_chunk, _encoding, done) => (logLines++, done()) });
  webhook = await startWebhookServer({
    port: 0,
    host: '127.0.0.1',
    tls: { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') },
    zonePolicy: 'overlap',
    logger: pino({ level: 'debug' }, sink),
    processMetrics: false,
    handshakeTimeoutMs: 300,
  });
}, 30_000);

afterAll(async () => {
  await webhook.drain();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  expect((await send('/healthz', '')).status).toBe(200);
});

describe('every hostile review gets an answer, on both endpoints', () => {
  test('an object with a deep, wrongly typed or huge value anywhere: 200 with a review', async () => {
    await fc.assert(
      fc.asyncProperty(hostileConfigArb, fc.constantFrom('/validate', '/mutate'), async ({ object }, path) => {
        const reply = await send(path, reviewOfObject(object));
        expect(reply.status).toBe(200);
        const answer = JSON.parse(reply.body).response;
        expect(answer.uid).toBe(fixture.request.uid);
        expect(typeof answer.allowed).toBe('boolean');
        expect(answer.status?.message?.length ?? 0).toBeLessThan(16_384);
        expect((answer.warnings ?? []).length).toBeLessThanOrEqual(MAX_LISTED_FINDINGS + 1);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  test('request fields of the wrong type or nested deep: 200 or 400, never a 5xx', async () => {
    const fields = ['uid', 'operation', 'kind', 'name', 'subResource', 'userInfo', 'object', 'dryRun', 'options'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fields),
        fc.oneof(wrongTypeArb, deepArb),
        fc.constantFrom('/validate', '/mutate'),
        async (field, value, path) => {
          const reply = await send(path, reviewWith({ ...fixture.request, [field]: value }));
          expect([200, 400]).toContain(reply.status);
        },
      ),
      { numRuns: 80 },
    );
  }, 120_000);

  test.each(['/validate', '/mutate'])(
    '%s: managedFields nested 9,000 levels deep are answered like the object without them',
    async (path) => {
      const object = structuredClone(fixture.request.object) as { metadata: Record<string, unknown> };
      object.metadata.managedFields = [{ manager: 'kubectl', fieldsV1: '@deep' }];
      // Written as text: JSON.stringify itself overflows the stack at this depth.
      const body = reviewOfObject(object).replace('"@deep"', nestedJson(9_000));
      const plain = await send(path, reviewOfObject(fixture.request.object));
      const reply = await send(path, body);
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body).response.allowed).toBe(JSON.parse(plain.body).response.allowed);
    },
  );

  test('an array nested 100,000 levels deep in a small body is parsed and answered', async () => {
    const body = reviewWith({ ...fixture.request, object: '@' }).replace('"@"', nestedJson(100_000, 'array'));
    const reply = await send('/validate', body);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).response.allowed).toBe(false);
  });

  test('nesting beyond the API server limit in a large body: 413 before parsing', async () => {
    const body = reviewWith({ ...fixture.request, object: '@' }).replace('"@"', nestedJson(200_000));
    const reply = await send('/validate', body);
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body).message).toMatch(/nested more than 10100 levels deep/);
  });

  test('millions of tiny values under the size limit: 413 before parsing', async () => {
    const values = `[${'{},'.repeat(2_500_000)}{}]`;
    const reply = await send('/mutate', reviewWith({ ...fixture.request, object: '@' }).replace('"@"', values));
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body).message).toMatch(/made of more than 500000 objects, arrays and list entries/);
  });

  test('10,000 clusters needing rewrites: the patch on /mutate, a bounded denial on /validate', async () => {
    const body = reviewOfObject(clustersNeedingRewrites(10_000));
    const mutated = JSON.parse((await send('/mutate', body)).body).response;
    expect(mutated.allowed).toBe(true);
    expect(mutated.warnings).toHaveLength(MAX_LISTED_FINDINGS + 1);
    expect(mutated.warnings[MAX_LISTED_FINDINGS]).toMatch(/^and 9990 more warnings/);
    const patch = JSON.parse(Buffer.from(mutated.patch as string, 'base64').toString('utf8'));
    expect(patch.filter((operation: { op: string }) => operation.op === 'remove')).toHaveLength(10_000);
    const denied = JSON.parse((await send('/validate', body)).body).response;
    expect(denied.allowed).toBe(false);
    expect(denied.status.message.length).toBeLessThan(8_192);
    expect(denied.status.message).toMatch(/and \d+ more errors/);
  }, 60_000);

  test('a value of one megabyte is cut short in the denial', async () => {
    const object = structuredClone(fixture.request.object) as {
      spec: { ackVpcEndpoint: Array<{ clusterId: string }> };
    };
    object.spec.ackVpcEndpoint[0]!.clusterId = 'c'.repeat(1 << 20);
    const answer = JSON.parse((await send('/validate', reviewOfObject(object))).body).response;
    expect(answer.allowed).toBe(false);
    expect(answer.status.message.length).toBeLessThan(4_096);
  });

  test('the log got a line per denial and none of them threw', () => {
    expect(logLines).toBeGreaterThan(0);
  });
});

describe('connections', () => {
  test('a client that never finishes the TLS handshake is cut off', async () => {
    const socket = tcpConnect(webhook.port, '127.0.0.1');
    const started = Date.now();
    await new Promise((resolve) => socket.once('close', resolve));
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  test('beyond the connection cap new connections are closed; a freed slot serves again', async () => {
    const capped = await startWebhookServer({
      port: 0,
      host: '127.0.0.1',
      tls: { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') },
      zonePolicy: 'overlap',
      logger: pino({ level: 'silent' }),
      processMetrics: false,
      maxConnections: 2,
    });
    try {
      const idle = await Promise.all(
        [0, 1].map(
          () =>
            new Promise<ReturnType<typeof tlsConnect>>((resolve) => {
              const socket = tlsConnect({ port: capped.port, host: '127.0.0.1', ca: authority.certificatePem }, () =>
                resolve(socket),
              );
            }),
        ),
      );
      await expect(send('/healthz', '', capped.port)).rejects.toThrow();
      idle[0]!.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await send('/healthz', '', capped.port)).status).toBe(200);
      idle[1]!.destroy();
    } finally {
      await capped.drain();
    }
  });
});
