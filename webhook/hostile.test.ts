// The HTTP server under hostile reviews: every class of input gets an answer with the right status,
// and the server keeps serving. Logging runs at debug (into a sink) so the log lines are built too.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
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
import { SOURCE_REVIEW_WORKER } from '../test/support/review-worker';
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
  const probe = path === '/healthz' || path === '/readyz';
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        method: probe ? 'GET' : 'POST',
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
    req.end(probe ? undefined : body);
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
    reviewWorker: SOURCE_REVIEW_WORKER,
    logger: pino({ level: 'debug' }, sink),
    processMetrics: false,
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

/** A TLS connection from `localAddress` (any 127.x address is this machine's). */
function openConnection(port: number, localAddress = '127.0.0.1'): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const tcp = tcpConnect({ port, host: '127.0.0.1', localAddress });
    const socket = tlsConnect({ socket: tcp, host: '127.0.0.1', ca: authority.certificatePem }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends one request on an open connection (keep-alive) and resolves with the status line's code. */
function exchange(socket: TLSSocket, method: string, path: string, body = ''): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text);
      if (head < 0 || !length || text.length < head + 4 + Number(length[1])) return;
      socket.off('data', onData);
      resolve(Number(text.slice(9, 12)));
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error('closed')));
    socket.write(
      `${method} ${path} HTTP/1.1\r\nhost: webhook\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}

const closedSoon = (socket: TLSSocket, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (socket.closed) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => (clearTimeout(timer), resolve(true)));
  });

async function startCapped(options: Partial<Parameters<typeof startWebhookServer>[0]>): Promise<RunningWebhook> {
  return startWebhookServer({
    port: 0,
    host: '127.0.0.1',
    tls: { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') },
    zonePolicy: 'overlap',
    reviewWorker: SOURCE_REVIEW_WORKER,
    logger: pino({ level: 'silent' }),
    processMetrics: false,
    ...options,
  });
}

describe('connections', () => {
  test('a client that never finishes the TLS handshake is cut off', async () => {
    // Own server: a handshake timeout this short would cut off the other tests' clients on a busy machine.
    const server = await startCapped({ handshakeTimeoutMs: 300 });
    try {
      const socket = tcpConnect(server.port, '127.0.0.1');
      const started = Date.now();
      await new Promise((resolve) => socket.once('close', resolve));
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await server.drain();
    }
  });

  test('one client holding 520 keep-alive connections (a GET /healthz on each): 45 fresh reviews all answered', async () => {
    const held: TLSSocket[] = [];
    try {
      for (let i = 0; i < 520; i += 40) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(40, 520 - i) }, () => openConnection(webhook.port)),
        );
        await Promise.all(batch.map((socket) => exchange(socket, 'GET', '/healthz').catch(() => 0)));
        held.push(...batch);
      }
      const review = reviewOfObject(fixture.request.object);
      const replies = await Promise.all(
        Array.from({ length: 45 }, () => send('/validate', review).catch(() => undefined)),
      );
      expect(replies.map((reply) => reply?.status)).toEqual(Array.from({ length: 45 }, () => 200));
      // Room was made by closing the client's own idle connections, not by refusing newcomers.
      const metrics = await webhook.metrics.registry.getSingleMetricAsString('asmpvl_webhook_connections_closed_total');
      expect(metrics).toMatch(/reason="evicted"\} [1-9]/);
      expect(metrics).not.toMatch(/reason="refused"/);
    } finally {
      for (const socket of held) socket.destroy();
    }
  }, 60_000);

  test('a connection that sent no review is closed when idle; one that sent a review is kept', async () => {
    const server = await startCapped({ idleBeforeReviewMs: 300 });
    try {
      const probe = await openConnection(server.port);
      const reviewer = await openConnection(server.port);
      expect(await exchange(probe, 'GET', '/healthz')).toBe(200);
      expect(await exchange(reviewer, 'POST', '/validate', reviewOfObject(fixture.request.object))).toBe(200);
      expect(await closedSoon(probe, 2_000)).toBe(true);
      expect(await closedSoon(reviewer, 1_000)).toBe(false);
      expect(await exchange(reviewer, 'POST', '/validate', reviewOfObject(fixture.request.object))).toBe(200);
      reviewer.destroy();
    } finally {
      await server.drain();
    }
  });

  test('a connection that completes its handshake and sends nothing is closed after the idle limit', async () => {
    const server = await startCapped({ idleBeforeReviewMs: 300 });
    try {
      const silent = await openConnection(server.port);
      expect(await closedSoon(silent, 3_000)).toBe(true);
    } finally {
      await server.drain();
    }
  });

  test('with every slot held by one idle client, the probes and a review from elsewhere are served', async () => {
    const server = await startCapped({ maxConnections: 4, maxConnectionsPerSource: 4 });
    const held: TLSSocket[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        const socket = await openConnection(server.port, '127.0.0.2');
        expect(await exchange(socket, 'GET', '/healthz')).toBe(200);
        held.push(socket);
      }
      expect((await send('/healthz', '', server.port)).status).toBe(200);
      expect((await send('/readyz', '', server.port)).status).toBe(200);
      expect((await send('/validate', reviewOfObject(fixture.request.object), server.port)).status).toBe(200);
      // The probes closed their connections after one answer, so one held connection made room for all three.
      const metrics = await server.metrics.registry.getSingleMetricAsString('asmpvl_webhook_connections_closed_total');
      expect(metrics).toMatch(/reason="evicted"\} [1-3]$/m);
      expect(metrics).not.toMatch(/reason="refused"/);
    } finally {
      for (const socket of held) socket.destroy();
      await server.drain();
    }
  });

  test('past the cap an idle connection makes room, one that never sent a review first', async () => {
    const server = await startCapped({ maxConnections: 2 });
    try {
      const reviewer = await openConnection(server.port);
      expect(await exchange(reviewer, 'POST', '/validate', reviewOfObject(fixture.request.object))).toBe(200);
      const idle = await openConnection(server.port);
      expect((await send('/healthz', '', server.port)).status).toBe(200);
      expect(await closedSoon(idle, 1_000)).toBe(true);
      expect(reviewer.closed).toBe(false);
      reviewer.destroy();
    } finally {
      await server.drain();
    }
  });

  test('one source is held to its share: its connections mid-request refuse its next one, not another source', async () => {
    const server = await startCapped({ maxConnections: 10, maxConnectionsPerSource: 2 });
    try {
      // Two requests from 127.0.0.2 that declare a body and send none: in progress until the request timeout.
      const busy = await Promise.all([0, 1].map(() => openConnection(server.port, '127.0.0.2')));
      for (const socket of busy)
        socket.write(
          'POST /validate HTTP/1.1\r\nhost: webhook\r\ncontent-type: application/json\r\ncontent-length: 10\r\n\r\n',
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const third = await openConnection(server.port, '127.0.0.2').catch(() => undefined);
      expect(third === undefined || (await closedSoon(third, 1_000))).toBe(true);
      expect((await send('/validate', reviewOfObject(fixture.request.object), server.port)).status).toBe(200);
      expect((await send('/healthz', '', server.port)).status).toBe(200);
      expect((await send('/readyz', '', server.port)).status).toBe(200);
      for (const socket of busy) socket.destroy();
    } finally {
      await server.drain();
    }
  });
});

describe('large bodies', () => {
  test('32 clients send the largest bodies at once: small reviews sent meanwhile are all answered, none 503', async () => {
    // Own server: the suite's 300 ms handshake timeout is too short while this process encrypts 200 MiB.
    const server = await startCapped({});
    try {
      // Just under the size limit, and costly to judge: 120,000 one-key objects in oldObject.
      const large = reviewWith({ ...fixture.request, oldObject: '@' }).replace(
        '"@"',
        `[${Array.from({ length: 120_000 }, (_, i) => `{"k":"${'x'.repeat(40)}${i}"}`).join(',')}]`,
      );
      expect(large.length).toBeGreaterThan(6 * 1024 * 1024);
      const small = reviewOfObject(fixture.request.object);
      let pending = 32;
      const largeStatuses = await Promise.all([
        ...Array.from({ length: 32 }, () =>
          send('/validate', large, server.port).then(
            (reply) => (pending--, reply.status),
            () => (pending--, 0),
          ),
        ),
        (async () => {
          const smallStatuses: Array<number | string> = [];
          let answeredWhileLargePending = 0;
          while (pending > 0 && smallStatuses.length < 50) {
            const status = await send('/validate', small, server.port).then(
              (reply) => reply.status,
              (error: Error) => error.message,
            );
            smallStatuses.push(status);
            if (pending > 0) answeredWhileLargePending++;
          }
          expect(smallStatuses.filter((status) => status !== 200)).toEqual([]);
          expect(answeredWhileLargePending).toBeGreaterThan(0);
          return -1;
        })(),
      ]);
      // The large ones were judged (200) or asked to retry (503): their budget, not the small reviews'.
      const large32 = largeStatuses.filter((status) => status !== -1);
      expect(large32.filter((status) => status !== 200 && status !== 503)).toEqual([]);
      expect(large32).toContain(200);
      expect(large32).toContain(503);
    } finally {
      await server.drain();
    }
  }, 120_000);
});
