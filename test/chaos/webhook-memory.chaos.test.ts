// The webhook's memory under the worst bodies we can make below the 8 MiB size limit: its peak resident
// memory (the kernel's high-water mark, VmHWM) must stay under the chart's memory limit, and it must
// answer every one of them and keep serving.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { type Exchange, WebhookProcess } from '../support/webhook-process';
import { WORST } from '../support/worst-bodies';

const MiB = 1024 * 1024;
const values = parse(readFileSync(join(__dirname, '../../charts/asmpvl/values.yaml'), 'utf8')) as {
  resources: { limits: { memory: string } };
};
const CHART_LIMIT = Number(/^(\d+)Mi$/.exec(values.resources.limits.memory)![1]) * MiB;

let webhook: WebhookProcess;

function peakResidentMemory(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

beforeAll(async () => {
  webhook = await WebhookProcess.start();
});

afterAll(async () => {
  await webhook?.stop('SIGKILL');
});

test('the worst bodies under the size limit, one after another: answered, peak RSS under the chart limit', async () => {
  const report: string[] = [];
  for (const worst of WORST) {
    const body = worst.body();
    expect(body.length).toBeLessThan(8 * MiB);
    const reply: Exchange = await webhook.send('POST', worst.path, body);
    expect({ name: worst.name, status: reply.status }).toEqual({ name: worst.name, status: worst.status });
    report.push(
      `${worst.name} (${(body.length / MiB).toFixed(1)} MiB): ${reply.status}, peak ${(peakResidentMemory(webhook.child.pid!) / MiB).toFixed(0)} MiB`,
    );
  }
  const peak = peakResidentMemory(webhook.child.pid!);
  process.stdout.write(
    `webhook memory, one at a time: ${report.join('; ')}; peak RSS ${(peak / MiB).toFixed(0)} MiB of the chart's ${CHART_LIMIT / MiB} MiB\n`,
  );
  expect(webhook.child.exitCode).toBeNull();
  expect(peak).toBeLessThan(CHART_LIMIT);
}, 300_000);

// Measured and reported, not bounded: eight huge answers queued for slow readers add their responses
// (an 11,000-cluster patch is ~5 MiB) to the peak. See the report in the README's reliability section.
test('eight of them at once: every one answered (or asked to retry), the webhook still serving', async () => {
  const heavy = WORST.filter((worst) => worst.status === 200).slice(0, 8);
  const bodies = heavy.map((worst) => worst.body());
  const replies = await Promise.all(heavy.map((worst, i) => webhook.send('POST', worst.path, bodies[i])));
  for (const reply of replies) expect([200, 503]).toContain(reply.status);
  expect(webhook.child.exitCode).toBeNull();
  expect((await webhook.send('GET', '/healthz')).status).toBe(200);
  process.stdout.write(
    `webhook memory, eight at once: ${replies.map((r) => r.status).join(',')}; peak RSS ${(peakResidentMemory(webhook.child.pid!) / MiB).toFixed(0)} MiB\n`,
  );
}, 300_000);
