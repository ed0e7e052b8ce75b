/**
 * End-to-end admission cost: `kubectl apply --dry-run=server` of one 10-cluster object against a
 * real API server, without any webhook and then with the chart installed (webhook running as a
 * local process), interleaved in the same run. The difference is what our webhook adds to an apply.
 */
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CHART_DIR, helm, installAsmpvlCrd, kubectl, mustSucceed } from '../e2e/harness';
import { WebhookProcess } from '../support/webhook-process';
import { configWithClusters } from './core.bench';
import { withBenchCluster } from './sandbox';

export interface AdmissionBench {
  runs: number;
  withoutWebhookMedianMs: number;
  withWebhookMedianMs: number;
  addedMedianMs: number;
}

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;

async function timeApply(manifest: string): Promise<number> {
  const started = performance.now();
  await mustSucceed(
    kubectl(['apply', '--dry-run=server', '-f', '-'], { input: manifest }),
    'kubectl apply --dry-run=server',
  );
  return performance.now() - started;
}

export async function benchAdmission(runs = 20): Promise<AdmissionBench> {
  return withBenchCluster(async () => {
    await installAsmpvlCrd();
    const manifest = stringify(configWithClusters(10));
    const webhook = await WebhookProcess.start();
    try {
      const without: number[] = [];
      const withWebhook: number[] = [];
      const install = [
        'upgrade',
        '--install',
        'asmpvl-bench',
        join(CHART_DIR),
        '-n',
        'asmpvl-system',
        '--create-namespace',
        '--set',
        `webhook.url=https://127.0.0.1:${webhook.port}`,
        '--set',
        `webhook.caBundle=${Buffer.from(webhook.ca).toString('base64')}`,
      ];
      for (let i = 0; i < 3; i++) await timeApply(manifest);
      // Alternate the two set-ups so both see the same machine load.
      for (let round = 0; round < runs / 5; round++) {
        await mustSucceed(
          helm(['uninstall', 'asmpvl-bench', '-n', 'asmpvl-system', '--ignore-not-found', '--wait']),
          'helm uninstall',
        );
        for (let i = 0; i < 5; i++) without.push(await timeApply(manifest));
        await mustSucceed(helm(install), 'helm install');
        await timeApply(manifest);
        for (let i = 0; i < 5; i++) withWebhook.push(await timeApply(manifest));
      }
      return {
        runs: without.length,
        withoutWebhookMedianMs: median(without),
        withWebhookMedianMs: median(withWebhook),
        addedMedianMs: median(withWebhook) - median(without),
      };
    } finally {
      await webhook.stop();
    }
  });
}
