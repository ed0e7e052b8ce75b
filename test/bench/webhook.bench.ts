import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createCertificateAuthority, issueCertificate } from '../e2e/harness/certificates';
import { freePort } from '../support/ports';
import { configWithClusters } from './core.bench';

const root = join(__dirname, '../..');
const node = process.execPath;

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

export interface WebhookBench {
  concurrency: number;
  durationSeconds: number;
  webhook: LoadFigures;
  /** Bare HTTPS, fixed answer, body not even parsed: the floor the issue names. */
  bare: LoadFigures;
  /** Bare HTTPS that parses the review and runs the same validation core: the work any correct webhook does. */
  bareValidating: LoadFigures;
  throughputRatio: number;
  p99Ratio: number;
  /** Against the validating floor: what our server adds beyond the inherent work. */
  throughputRatioToValidating: number;
  p99RatioToValidating: number;
}

/** Resolves once something accepts connections on 127.0.0.1:`port`; throws after 15 s. */
export async function waitUntilServing(port: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within 15 s`);
}

/** SIGTERM, then SIGKILL after 10 s; resolves once the child has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function load(port: number, body: string, durationSeconds: number, concurrency: number): Promise<LoadFigures> {
  const result = await autocannon({
    url: `https://127.0.0.1:${port}/validate?timeout=5s`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: concurrency,
    duration: durationSeconds,
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

const ROUNDS = 3;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Rounds of one server: mean throughput, median latencies (one slow round does not decide p99). */
function combine(rounds: LoadFigures[]): LoadFigures {
  return {
    requestsPerSecond: rounds.reduce((sum, round) => sum + round.requestsPerSecond, 0) / rounds.length,
    p50Ms: median(rounds.map((round) => round.p50Ms)),
    p99Ms: median(rounds.map((round) => round.p99Ms)),
    non2xx: rounds.reduce((sum, round) => sum + round.non2xx, 0),
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
  };
}

/** /validate of the real webhook vs. two bare HTTPS floors (fixed answer; parse + validate), same machine, same load. */
export async function benchWebhook(durationSeconds = 10, concurrency = 32): Promise<WebhookBench> {
  const dir = mkdtempSync(join(tmpdir(), 'asmpvl-bench-'));
  const children: ChildProcess[] = [];
  try {
    const ca = createCertificateAuthority('asmpvl-bench-ca');
    const serving = issueCertificate(ca, { commonName: 'bench', usage: 'server', ipAddresses: ['127.0.0.1'] });
    const certFile = join(dir, 'tls.crt');
    const keyFile = join(dir, 'tls.key');
    writeFileSync(certFile, serving.certificatePem);
    writeFileSync(keyFile, serving.privateKeyPem);
    const object = configWithClusters(10);
    const gvk = { group: 'istio.alibabacloud.com', version: 'v1beta1', kind: 'ASMPvlConfig' };
    const body = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'b3c1d2e4-0000-4000-8000-000000000001',
        kind: gvk,
        resource: { group: gvk.group, version: gvk.version, resource: 'asmpvlconfigs' },
        name: 'default',
        operation: 'CREATE',
        userInfo: { username: 'bench' },
        object,
        oldObject: null,
        dryRun: false,
      },
    });

    const webhookPort = await freePort();
    // Default log level (info), as in production: allowed reviews are counted in metrics, not logged.
    // ASMPVL_BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the webhook there when it stops.
    const profileDir = process.env.ASMPVL_BENCH_CPU_PROF;
    const webhook = spawn(
      node,
      [
        ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
        join(root, 'dist/asmpvl-webhook.cjs'),
        '--port',
        String(webhookPort),
        '--tls-cert-file',
        certFile,
        '--tls-private-key-file',
        keyFile,
      ],
      { stdio: 'ignore' },
    );
    children.push(webhook);
    await waitUntilServing(webhookPort);
    const startBare = async (mode: 'fixed' | 'validate') => {
      const port = await freePort();
      children.push(
        spawn(
          node,
          ['--import', 'tsx', join(__dirname, 'bare-https-server.ts'), certFile, keyFile, String(port), mode],
          { stdio: 'ignore', cwd: root },
        ),
      );
      await waitUntilServing(port);
      return port;
    };
    const barePort = await startBare('fixed');
    const validatingPort = await startBare('validate');

    // Warm all up (JIT, TLS session setup), then measure in interleaved rounds under the same load, so
    // a busy spell of the (shared) machine falls on all three alike rather than on one.
    for (const port of [webhookPort, barePort, validatingPort]) await load(port, body, 2, concurrency);
    const rounds: Array<[LoadFigures, LoadFigures, LoadFigures]> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const each = durationSeconds / ROUNDS;
      rounds.push([
        await load(webhookPort, body, each, concurrency),
        await load(barePort, body, each, concurrency),
        await load(validatingPort, body, each, concurrency),
      ]);
    }
    const webhookFigures = combine(rounds.map((round) => round[0]));
    const bareFigures = combine(rounds.map((round) => round[1]));
    const validatingFigures = combine(rounds.map((round) => round[2]));
    return {
      concurrency,
      durationSeconds,
      webhook: webhookFigures,
      bare: bareFigures,
      bareValidating: validatingFigures,
      throughputRatio: webhookFigures.requestsPerSecond / bareFigures.requestsPerSecond,
      p99Ratio: webhookFigures.p99Ms / bareFigures.p99Ms,
      throughputRatioToValidating: webhookFigures.requestsPerSecond / validatingFigures.requestsPerSecond,
      p99RatioToValidating: webhookFigures.p99Ms / validatingFigures.p99Ms,
    };
  } finally {
    await Promise.all(children.map(stopChild));
    rmSync(dir, { recursive: true, force: true });
  }
}
