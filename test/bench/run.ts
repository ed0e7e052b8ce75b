/**
 * `npm run bench`: prints each section's figures as a table and writes them all to bench-results.json
 * (`npm run bench -- 5 6`: only those sections).
 * Nothing here asserts on time; the figures are for people (and the README's performance section).
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { benchCore, benchCoreAtScale } from './core.bench';
import { benchPluginStart, printPluginStart } from './plugin-start.bench';
import { benchAdmission } from './admission.bench';
import { benchWebhook } from './webhook.bench';
import { benchProvisioning } from './provisioning.bench';
import { controllerSection } from './controller.bench';
import { benchLargeBodies } from './large-bodies.bench';

function table(rows: Array<Record<string, string | number>>): string {
  const headers = Object.keys(rows[0] ?? {});
  const cells = rows.map((row) =>
    headers.map((header) => {
      const v = row[header];
      return typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(v < 10 ? 2 : 1) : String(v);
    }),
  );
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) => values.map((value, i) => value.padStart(widths[i]!)).join('  ');
  return [line(headers), ...cells.map(line)].join('\n');
}

/** `npm run bench -- 5 6` runs only those sections (1 covers 1b); no argument runs them all. */
const chosen = process.argv.slice(2);
const want = (section: string) => chosen.length === 0 || chosen.includes(section);

async function main(): Promise<void> {
  const results: Record<string, unknown> = { node: process.version, date: new Date().toISOString() };
  if (want('1')) {
    console.log('1. Validation core: time per object (normalise + validate), by cluster count');
    const core = benchCore();
    results.core = core;
    console.log(
      table(
        core.map((row) => ({
          clusters: row.clusters,
          'validate µs': row.validateMicroseconds,
          'normalise+validate µs': row.checkMicroseconds,
          'µs per cluster': row.microsecondsPerCluster,
        })),
      ),
    );
    console.log(
      '\n1b. Normalise + validate at scale: every id rewritten, every cluster repeating a vSwitch (linear up to the bound on values)',
    );
    results.coreAtScale = benchCoreAtScale();
    console.log(table(results.coreAtScale as Array<Record<string, string | number>>));
  }

  if (want('2')) {
    console.log(
      '\n2. Webhook /validate over TLS keep-alive, 10-cluster object, concurrency 32, vs. a bare HTTPS server with a fixed answer',
    );
    const webhook = await benchWebhook();
    results.webhook = webhook;
    console.log(
      table([
        {
          server: 'asmpvl webhook',
          'req/s': webhook.webhook.requestsPerSecond,
          'p50 ms': webhook.webhook.p50Ms,
          'p99 ms': webhook.webhook.p99Ms,
          'non-2xx': webhook.webhook.non2xx,
          errors: webhook.webhook.errors,
        },
        {
          server: 'bare Node HTTPS',
          'req/s': webhook.bare.requestsPerSecond,
          'p50 ms': webhook.bare.p50Ms,
          'p99 ms': webhook.bare.p99Ms,
          'non-2xx': webhook.bare.non2xx,
          errors: webhook.bare.errors,
        },
        {
          server: 'bare HTTPS + parse + validate',
          'req/s': webhook.bareValidating.requestsPerSecond,
          'p50 ms': webhook.bareValidating.p50Ms,
          'p99 ms': webhook.bareValidating.p99Ms,
          'non-2xx': webhook.bareValidating.non2xx,
          errors: webhook.bareValidating.errors,
        },
      ]),
    );
    console.log(
      `throughput ratio (webhook / bare): ${webhook.throughputRatio.toFixed(2)}; p99 ratio: ${webhook.p99Ratio.toFixed(2)}`,
    );
    console.log(
      `against the parse + validate floor: throughput ${webhook.throughputRatioToValidating.toFixed(2)}; p99 ${webhook.p99RatioToValidating.toFixed(2)}`,
    );
  }

  if (want('3')) {
    console.log(
      '\n3. Admission cost: kubectl apply --dry-run=server of a 10-cluster object, with and without the webhook installed',
    );
    const admission = await benchAdmission();
    results.admission = admission;
    console.log(
      table([
        {
          runs: admission.runs,
          'no webhook ms': admission.withoutWebhookMedianMs,
          'with webhook ms': admission.withWebhookMedianMs,
          'added ms': admission.addedMedianMs,
        },
      ]),
    );
  }

  if (want('4')) {
    console.log(
      '\n4. Plugin start: a fresh process per run, the self-contained executable and the bundle, 100 clusters in spec and status, against kubectl on the same object',
    );
    const pluginStart = await benchPluginStart();
    results.pluginStart = pluginStart;
    printPluginStart(pluginStart, table);
  }

  if (want('5')) {
    console.log(
      '\n5. Provisioning at scale: one `connect` of N clusters against the emulator (default delays, per-action rate limits on), then again on the converged system',
    );
    const provisioning = await benchProvisioning();
    results.provisioning = provisioning;
    const seconds = (ms: number) => ms / 1000;
    console.log(
      table(
        provisioning.rows.map((row) => ({
          clusters: row.clusters,
          'wall s': seconds(row.wallMs),
          'critical path s': seconds(row.criticalPathMs),
          'rate floor s': seconds(row.rateFloorMs),
          'wall / bound': row.overhead,
          'plugin chain s': seconds(row.pluginChainMs),
          'calls/cluster': row.callsPerCluster,
          'writes/cluster': row.mutatingPerCluster,
          throttled: row.throttled,
          'user saw failure': row.failed ? 'YES' : 'no',
          'inventory exact': row.inventoryExact ? 'yes' : 'NO',
          're-run s': seconds(row.secondRunMs),
          're-run calls': row.secondRunCalls,
          're-run writes': row.secondRunMutating,
        })),
      ),
    );
    console.log(
      `delays (ms): ${Object.entries(provisioning.delays)
        .map(([name, ms]) => `${name.replace(/Ms$/, '')} ${ms}`)
        .join(', ')}`,
    );
    console.log(
      `rate limits (calls/s per action): ${Object.entries(provisioning.rateLimits)
        .map(([action, limit]) => `${action} ${limit}`)
        .join(', ')}`,
    );
    console.log(
      'bound = max(critical path, rate floor); throttled = answers refused by the rate limit, each retried by the plugin',
    );
  }

  if (want('6')) {
    results.controller = await controllerSection(table);
  }

  if (want('7')) {
    // ASMPVL_BENCH_BASELINE_WEBHOOK=<bundle>: an earlier build of the webhook, measured the same way after ours.
    const baseline = process.env.ASMPVL_BENCH_BASELINE_WEBHOOK;
    const large = await benchLargeBodies([
      join(__dirname, '../../dist/asmpvl-webhook.cjs'),
      ...(baseline ? [resolve(baseline)] : []),
    ]);
    results.largeBodies = large;
    console.log(
      `\n7. A 3 KiB review (${large.ratePerSecond}/s on keep-alive connections, 5 s timeout) while ${large.clients} clients send the worst bodies under the size limit back to back; webhook under ${large.limits}, node ${large.nodeOptions.join(' ')}`,
    );
    console.log(
      table(
        large.runs.flatMap((run) =>
          (['quiet', 'underLoad'] as const).map((phase) => ({
            webhook: run.bundle,
            phase: phase === 'quiet' ? `alone (${large.seconds.quiet} s)` : `32 clients (${large.seconds.underLoad} s)`,
            reviews: run[phase].sent,
            'p50 ms': run[phase].p50Ms,
            'p99 ms': run[phase].p99Ms,
            'max ms': run[phase].maxMs,
            failed: run[phase].failed,
            '> 5 s': run[phase].timedOut,
          })),
        ),
      ),
    );
    for (const run of large.runs) {
      const answers = Object.entries(run.largeAnswers)
        .map(([status, count]) => `${status} x${count}`)
        .join(', ');
      const memory = run.peakMemoryMiB === undefined ? 'unknown' : `${run.peakMemoryMiB.toFixed(0)} MiB`;
      console.log(
        `${run.bundle}: p99 under load / alone ${(run.underLoad.p99Ms / run.quiet.p99Ms).toFixed(1)}x; large bodies answered ${answers || 'none'}; peak memory ${memory}, OOM kills ${run.oomKills ?? 'unknown'}, ${run.webhookSurvived ? 'still running' : 'DIED'}`,
      );
    }
  }

  writeFileSync('bench-results.json', `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nwrote bench-results.json');
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
