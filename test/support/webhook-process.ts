import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate } from '../e2e/harness/certificates';
import { freePort } from './ports';

const REPO = join(__dirname, '..', '..');

/** A reply, or how the exchange broke off. */
export interface Exchange {
  status?: number;
  body?: string;
  /** The connection failed before any response byte (refused, reset). */
  connectionError?: string;
  /** A response started and then broke off: a lost review. */
  brokenResponse?: string;
}

/** The bundled webhook as a real process on a loopback port, with its own CA. */
export class WebhookProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly ca: string,
    private readonly dir: string,
  ) {}

  /** `args` are more flags for the webhook, e.g. `['--zone-policy', 'strict']`. */
  static async start(args: readonly string[] = []): Promise<WebhookProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'asmpvl-chaos-'));
    const ca = createCertificateAuthority('asmpvl-chaos-ca');
    const serving = issueCertificate(ca, { commonName: 'asmpvl-webhook', usage: 'server', ipAddresses: ['127.0.0.1'] });
    writeFileSync(join(dir, 'tls.crt'), serving.certificatePem);
    writeFileSync(join(dir, 'tls.key'), serving.privateKeyPem);
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        join(REPO, 'dist/asmpvl-webhook.cjs'),
        '--port',
        String(port),
        '--tls-cert-file',
        join(dir, 'tls.crt'),
        '--tls-private-key-file',
        join(dir, 'tls.key'),
        '--log-level',
        'warn',
        ...args,
      ],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const webhook = new WebhookProcess(child, port, ca.certificatePem, dir);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const reply = await webhook.send('GET', '/readyz');
      if (reply.status === 200) return webhook;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await webhook.stop();
    throw new Error('the webhook did not become ready within 15 s');
  }

  /** One request on a fresh connection (no keep-alive), classified by how it ended. */
  send(
    method: string,
    path: string,
    body?: string | Buffer,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ): Promise<Exchange> {
    return new Promise((resolve) => {
      let responded = false;
      const req = request(
        { host: '127.0.0.1', port: this.port, method, path, ca: this.ca, headers, agent: false, timeout: 20_000 },
        (res) => {
          responded = true;
          let text = '';
          res.on('data', (chunk) => (text += String(chunk)));
          res.on('end', () => resolve({ status: res.statusCode, body: text }));
          res.on('error', (error) => resolve({ brokenResponse: error.message }));
          res.on('aborted', () => resolve({ brokenResponse: 'aborted' }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (error) =>
        resolve(
          responded
            ? { brokenResponse: error.message }
            : { connectionError: (error as NodeJS.ErrnoException).code ?? error.message },
        ),
      );
      req.end(body);
    });
  }

  /** Resident memory of the webhook process, in bytes, from its own /metrics. */
  async residentMemory(): Promise<number> {
    const metrics = await this.send('GET', '/metrics');
    const match = /^process_resident_memory_bytes (\d+)/m.exec(metrics.body ?? '');
    if (!match) throw new Error('no process_resident_memory_bytes in /metrics');
    return Number(match[1]);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill(signal);
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
    return this.child.exitCode;
  }
}
