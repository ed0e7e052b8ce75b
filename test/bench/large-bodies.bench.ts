// A 3 KiB review while 32 clients send the worst bodies under the size limit, with the webhook under the
// chart's limits (CPU quota and memory limit in a cgroup, heap sized to the memory limit). The API server
// gives up on a webhook after its timeout (5 s by default), so what counts is the small review's tail.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import { createCertificateAuthority, issueCertificate } from '../e2e/harness/certificates';
import { freePort } from '../support/ports';
import { confine, type PodLimits } from './confine';
import { stopChild, waitUntilServing } from './webhook.bench';

const root = join(__dirname, '../..');
const MiB = 1024 * 1024;

export interface SmallReviewFigures {
  sent: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Answered with anything but 200, or not answered (reset, refused). */
  failed: number;
  /** Not answered within the API server's default timeout (5 s); counted at 5 s in the percentiles. */
  timedOut: number;
}

export interface LargeBodiesRun {
  bundle: string;
  quiet: SmallReviewFigures;
  underLoad: SmallReviewFigures;
  /** How the webhook answered the large bodies: HTTP status or error code, and how many. */
  largeAnswers: Record<string, number>;
  peakMemoryMiB?: number;
  oomKills?: number;
  webhookSurvived: boolean;
}

export interface LargeBodiesBench {
  limits: string;
  nodeOptions: string[];
  clients: number;
  ratePerSecond: number;
  seconds: { quiet: number; underLoad: number };
  runs: LargeBodiesRun[];
}

const API_SERVER_TIMEOUT_MS = 5_000;

/** The chart's resource limits, read from its values. */
function chartLimits(): PodLimits {
  const values = parse(readFileSync(join(root, 'charts/asmpvl/values.yaml'), 'utf8')) as {
    resources: { limits: { cpu: string; memory: string } };
  };
  const cpu = /^(\d+)m$/.exec(values.resources.limits.cpu);
  const memory = /^(\d+)Mi$/.exec(values.resources.limits.memory);
  if (!cpu || !memory) throw new Error('charts/asmpvl/values.yaml: expected resources.limits like 500m and 256Mi');
  return { cpuMillis: Number(cpu[1]), memoryBytes: Number(memory[1]) * MiB };
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

/** One review as the API server sends it: on one of a few keep-alive connections, given up after 5 s. */
function review(agent: Agent, port: number, ca: string, body: string): Promise<{ ms: number; ok: boolean }> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve({ ms: Math.min(performance.now() - started, API_SERVER_TIMEOUT_MS), ok });
    };
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/validate?timeout=5s',
        ca,
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.once('end', () => done(res.statusCode === 200));
        res.on('error', () => done(false));
      },
    );
    // The whole exchange, not the socket's idle time: an answer after 5 s is one the API server never sees.
    const deadline = setTimeout(() => {
      done(false);
      req.destroy(new Error('timeout'));
    }, API_SERVER_TIMEOUT_MS);
    req.on('error', () => done(false));
    req.end(body);
  });
}

/** Sends `ratePerSecond` reviews a second for `seconds`, each without waiting for the one before. */
async function smallReviews(
  port: number,
  ca: string,
  body: string,
  seconds: number,
  ratePerSecond: number,
): Promise<SmallReviewFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const pending: Array<Promise<{ ms: number; ok: boolean }>> = [];
  const interval = 1000 / ratePerSecond;
  const start = performance.now();
  for (let i = 0; i < seconds * ratePerSecond; i++) {
    const wait = start + i * interval - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(review(agent, port, ca, body));
  }
  const results = await Promise.all(pending);
  agent.destroy();
  const sorted = results.map((result) => result.ms).sort((a, b) => a - b);
  return {
    sent: results.length,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1] ?? NaN,
    failed: results.filter((result) => !result.ok).length,
    timedOut: results.filter((result) => result.ms >= API_SERVER_TIMEOUT_MS).length,
  };
}

function largeBodyClients(port: number, caFile: string, clients: number, seconds: number): Promise<string> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(__dirname, 'large-body-clients.ts'),
      String(port),
      caFile,
      String(clients),
      String(seconds),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('exit', () => resolve(output)));
}

function peakResident(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `bundles` are webhook bundles to measure one after the other under the same conditions: ours, and
 * optionally an earlier build as the baseline. Each gets a quiet phase (small reviews only), then the
 * same small reviews while `clients` clients send the worst large bodies.
 */
export async function benchLargeBodies(
  bundles: string[] = [join(root, 'dist/asmpvl-webhook.cjs')],
  clients = 32,
  seconds = { quiet: 10, underLoad: 30 },
  ratePerSecond = 10,
): Promise<LargeBodiesBench> {
  const dir = mkdtempSync(join(tmpdir(), 'asmpvl-bench-large-'));
  const limits = chartLimits();
  // The heap limit Node would take from a 256Mi container, said outright.
  const nodeOptions = [`--max-old-space-size=${limits.memoryBytes / MiB}`];
  const small = readFileSync(join(root, 'test/fixtures/admission/create-vendor-example.json'), 'utf8');
  const runs: LargeBodiesRun[] = [];
  let description = '';
  try {
    const ca = createCertificateAuthority('asmpvl-bench-ca');
    const serving = issueCertificate(ca, { commonName: 'bench', usage: 'server', ipAddresses: ['127.0.0.1'] });
    const [certFile, keyFile, caFile] = ['tls.crt', 'tls.key', 'ca.crt'].map((name) => join(dir, name)) as [
      string,
      string,
      string,
    ];
    writeFileSync(certFile, serving.certificatePem);
    writeFileSync(keyFile, serving.privateKeyPem);
    writeFileSync(caFile, ca.certificatePem);
    for (const [index, bundle] of bundles.entries()) {
      const confinement = confine(`asmpvl-bench-webhook-${index}`, limits);
      description = confinement.description;
      let webhook: ChildProcess | undefined;
      try {
        const port = await freePort();
        const { command, args } = confinement.wrap(process.execPath, [
          ...nodeOptions,
          bundle,
          '--port',
          String(port),
          '--tls-cert-file',
          certFile,
          '--tls-private-key-file',
          keyFile,
        ]);
        webhook = spawn(command, args, { stdio: 'ignore' });
        await waitUntilServing(port);
        await smallReviews(port, ca.certificatePem, small, 2, ratePerSecond);
        const quiet = await smallReviews(port, ca.certificatePem, small, seconds.quiet, ratePerSecond);
        // The large-body clients start first and run past the measurement, so it falls wholly in their storm.
        const largeAnswers = largeBodyClients(port, caFile, clients, seconds.underLoad + 5);
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        const underLoad = await smallReviews(port, ca.certificatePem, small, seconds.underLoad, ratePerSecond);
        const answers = JSON.parse((await largeAnswers) || '{}') as Record<string, number>;
        const webhookSurvived = webhook.exitCode === null && webhook.signalCode === null;
        const peak = confinement.peakMemoryBytes() ?? peakResident(webhook.pid!);
        const oomKills = confinement.oomKills();
        runs.push({
          bundle: bundle.startsWith(root) ? bundle.slice(root.length + 1) : bundle,
          quiet,
          underLoad,
          largeAnswers: answers,
          ...(peak === undefined ? {} : { peakMemoryMiB: peak / MiB }),
          ...(oomKills === undefined ? {} : { oomKills }),
          webhookSurvived,
        });
      } finally {
        if (webhook) await stopChild(webhook);
        confinement.remove();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { limits: description, nodeOptions, clients, ratePerSecond, seconds, runs };
}
