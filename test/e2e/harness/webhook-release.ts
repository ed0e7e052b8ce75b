// The admission webhook as the e2e files use it: the bundled webhook as a local process on
// 127.0.0.1, and the chart installed with helm in webhook.url mode pointing at it (never in-cluster
// mode: the API server would dial a Service's ClusterIP).
import { WebhookProcess } from '../../support/webhook-process';
import { CHART_DIR, installAsmpvlCrd, mustSucceed } from './asmpvl';
import { helm } from './commands';

export interface WebhookRelease {
  webhook: WebhookProcess;
  /** Uninstalls the release, then stops the webhook (in that order: with failurePolicy Fail a stopped webhook would block every write). */
  uninstall(): Promise<void>;
}

/** Starts the webhook (with `webhookArgs`) and installs `release` in `namespace` pointing at it. */
export async function installWebhookRelease(
  release: string,
  namespace: string,
  webhookArgs: readonly string[] = [],
): Promise<WebhookRelease> {
  const webhook = await WebhookProcess.start(webhookArgs);
  await installAsmpvlCrd();
  const caBundle = Buffer.from(webhook.ca).toString('base64');
  await mustSucceed(
    helm([
      'upgrade',
      '--install',
      release,
      CHART_DIR,
      '-n',
      namespace,
      '--create-namespace',
      '--set',
      `webhook.url=https://127.0.0.1:${webhook.port}`,
      '--set',
      `webhook.caBundle=${caBundle}`,
    ]),
    'helm install',
  );
  return {
    webhook,
    uninstall: async () => {
      try {
        await helm(['uninstall', release, '-n', namespace, '--wait']);
      } finally {
        await webhook.stop();
      }
    },
  };
}
