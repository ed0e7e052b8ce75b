// The webhook under abuse: thousands of random and malformed bodies and reviews never crash it,
// never get a 5xx for a well-formed review, and leave its memory flat; SIGTERM under load answers
// every review already received.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { admissionReviewProblem } from '../../webhook/admission';
import { validConfigArb, setAtRandomPath } from '../arbitraries/asmpvlconfig';
import { hostileConfigArb, stringifyDeep, wrongTypeArb } from '../arbitraries/hostile';
import { loadFixture } from '../fixtures';
import { type Exchange, WebhookProcess } from '../support/webhook-process';

const REVIEWS = [
  'create-needs-normalising.json',
  'create-vendor-example.json',
  'update-breaks-zones.json',
  'delete.json',
  'create-generate-name.json',
].map((name) => loadFixture(`admission/${name}`));
const TRIALS = Number(process.env.ASMPVL_CHAOS_WEBHOOK_TRIALS ?? 3000);

type Body = { path: string; body: string | Buffer; headers?: Record<string, string>; wellFormed: boolean };

/** Bodies a broken or hostile client could send, and well-formed reviews carrying arbitrary objects. */
const bodyArb: fc.Arbitrary<Body> = fc.oneof(
  fc.jsonValue().map((value) => ({
    path: '/validate',
    body: JSON.stringify(value),
    wellFormed: admissionReviewProblem(value) === undefined,
  })),
  fc.uint8Array({ maxLength: 2048 }).map((bytes) => ({ path: '/mutate', body: Buffer.from(bytes), wellFormed: false })),
  fc.string({ maxLength: 512 }).map((text) => ({
    path: '/validate',
    body: text,
    wellFormed: false,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  })),
  fc
    .tuple(fc.constantFrom(...REVIEWS), fc.array(fc.nat(), { maxLength: 6 }), fc.anything())
    .map(([review, choices, value]) => {
      const mutated = setAtRandomPath(review, choices, value);
      return {
        path: '/mutate',
        body: JSON.stringify(mutated),
        wellFormed: admissionReviewProblem(mutated) === undefined,
      };
    }),
  fc
    .tuple(fc.constantFrom(...REVIEWS), validConfigArb, fc.array(fc.nat(), { maxLength: 6 }), fc.jsonValue())
    .map(([review, config, choices, value]) => {
      const request = { ...(review.request as object), object: setAtRandomPath(config, choices, value) };
      return { path: '/validate', body: JSON.stringify({ ...review, request }), wellFormed: true };
    }),
  fc
    .constantFrom(...REVIEWS)
    .map((review) => ({ path: '/validate', body: JSON.stringify(review).slice(0, 100), wellFormed: false })),
  // Deep (thousands of levels, managedFields included), wrongly typed and huge values anywhere in the object.
  fc
    .tuple(fc.constantFrom(...REVIEWS.slice(0, 3)), hostileConfigArb, fc.constantFrom('/validate', '/mutate'))
    .map(([review, { object }, path]) => ({
      path,
      body: stringifyDeep({ ...review, request: { ...(review.request as object), object } }),
      wellFormed: true,
    })),
  // Request fields of the wrong type: a 400 (not a usable review) or a 200, never a 5xx.
  fc
    .tuple(
      fc.constantFrom(...REVIEWS.slice(0, 3)),
      fc.constantFrom('operation', 'uid', 'kind', 'userInfo', 'subResource', 'name'),
      wrongTypeArb,
    )
    .map(([review, field, value]) => {
      const mutated = { ...review, request: { ...(review.request as object), [field]: value } };
      return {
        path: '/mutate',
        body: stringifyDeep(mutated),
        wellFormed: admissionReviewProblem(mutated) === undefined,
      };
    }),
  fc.constantFrom(...REVIEWS).map((review) => ({
    path: '/validate',
    body: JSON.stringify(review),
    headers: { 'content-type': 'text/yaml' },
    wellFormed: false,
  })),
);

let webhook: WebhookProcess;

beforeAll(async () => {
  webhook = await WebhookProcess.start();
});

afterAll(async () => {
  await webhook?.stop('SIGKILL');
});

test(`${TRIALS} random and malformed requests: no crash, no 5xx, well-formed reviews answered, memory flat`, async () => {
  const samples = fc.sample(bodyArb, { numRuns: TRIALS, seed: 20261125 });
  const failures: string[] = [];
  const tally = { answered: 0, refused: 0 };
  // Warm up so the memory baseline is after JIT and first allocations, then measure the rest.
  const warmup = samples.slice(0, 300);
  const rest = samples.slice(300);
  const run = async (batch: Body[]) => {
    for (let i = 0; i < batch.length; i += 16) {
      await Promise.all(
        batch.slice(i, i + 16).map(async (sample) => {
          const reply: Exchange = await webhook.send(
            'POST',
            sample.path,
            sample.body,
            sample.headers ?? { 'content-type': 'application/json' },
          );
          if (reply.status === undefined)
            failures.push(`no response: ${reply.connectionError ?? reply.brokenResponse}`);
          else if (reply.status >= 500) failures.push(`${reply.status} for ${String(sample.body).slice(0, 80)}`);
          else if (sample.wellFormed && reply.status !== 200)
            failures.push(`well-formed review got ${reply.status}: ${reply.body}`);
          else if (
            sample.wellFormed &&
            JSON.parse(reply.body ?? '{}').response?.uid !== JSON.parse(String(sample.body)).request.uid
          )
            failures.push('uid not echoed');
          if (reply.status === 200) tally.answered++;
          else tally.refused++;
        }),
      );
    }
  };
  await run(warmup);
  const before = await webhook.residentMemory();
  await run(rest.slice(0, rest.length / 2));
  const middle = await webhook.residentMemory();
  await run(rest.slice(rest.length / 2));
  const after = await webhook.residentMemory();
  expect(failures).toEqual([]);
  expect(webhook.child.exitCode).toBeNull();
  expect((await webhook.send('GET', '/healthz')).status).toBe(200);
  // Flat: the heap settles after warm-up; the second half must not keep growing as the first did. The
  // hostile samples (lists of 20,000 values, objects thousands of levels deep) leave garbage V8 collects
  // lazily, so the margin is 32 MiB; and the peak stays under the chart's memory limit.
  expect(after - middle).toBeLessThan(32 * 1024 * 1024);
  const peak =
    Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${webhook.child.pid}/status`, 'utf8'))![1]) * 1024;
  expect(peak).toBeLessThan(256 * 1024 * 1024);
  const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
  process.stdout.write(
    `webhook chaos: ${TRIALS} requests, ${tally.answered} answered 200, ${tally.refused} refused 4xx, RSS ${mib(before)} -> ${mib(middle)} -> ${mib(after)} MiB, peak ${mib(peak)} MiB\n`,
  );
});

test('SIGTERM under load: every review the server received is answered, then it exits 0', async () => {
  const draining = await WebhookProcess.start();
  const body = JSON.stringify(REVIEWS[1]);
  const results: Exchange[] = [];
  let stopping = false;
  const afterSignal: Exchange[] = [];
  // Each client keeps sending after the signal until the server refuses its connection (bounded).
  const client = async () => {
    for (let sent = 0; sent < 10_000; sent++) {
      const reply = await draining.send('POST', '/validate', body);
      results.push(reply);
      if (stopping) afterSignal.push(reply);
      if (reply.connectionError) return;
    }
  };
  const clients = Array.from({ length: 16 }, client);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  stopping = true;
  const exitCode = draining.stop('SIGTERM');
  await Promise.all(clients);
  expect(await exitCode).toBe(0);
  const broken = results.filter((reply) => reply.brokenResponse !== undefined);
  const wrong = results.filter((reply) => reply.status !== undefined && reply.status !== 200);
  expect(broken).toEqual([]);
  expect(wrong).toEqual([]);
  expect(results.filter((reply) => reply.status === 200).length).toBeGreaterThan(16);
  // The server did stop: every client ended on a refused connection, and some reviews were answered after the signal.
  expect(results.filter((reply) => reply.connectionError).length).toBe(16);
  expect(afterSignal.filter((reply) => reply.status === 200).length).toBeGreaterThan(0);
  process.stdout.write(
    `webhook SIGTERM: ${results.length} requests, ${results.filter((r) => r.status === 200).length} answered, ${results.filter((r) => r.connectionError).length} refused at connect after the signal, ${afterSignal.filter((r) => r.status === 200).length} answered after the signal, 0 lost\n`,
  );
});
