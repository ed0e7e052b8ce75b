import { Command, Option } from 'clipanion';
import { ExitCode } from '../exit-codes';
import type { SyncSanOutcome } from '../../engine/provisioning/flows/sync-san';
import type { Session } from '../../engine/provisioning/session';
import { ClusterCommand, isDuration, parseDuration } from './base';

export class SyncSanCommand extends ClusterCommand {
  static override paths = [['sync-san']];
  static override usage = Command.Usage({
    description: "Make each connected cluster's API server certificate list its endpoint domain",
    details: `
      For every cluster given (default: every cluster in asmpvlconfig/default) whose API-server link is
      Connected, appends the domain of its endpoint in the ASM VPC (status.clusters[].pvlEndpoint.domainName)
      to the cluster's custom API server certificate SANs, through ACK ModifyCluster with action append:
      a SAN that was there before is never dropped. Waits for the cluster task (the API server
      restarts), reads the SANs back and checks they hold every earlier SAN plus the domain. A cluster
      that already lists its domain costs no change. Does nothing when spec.sanSync is Disabled.

      Exit code: 0 when every cluster asked for lists its domain (or would, with --dry-run: nothing
      missing); 1 when a cluster is not connected yet, an update failed or did not verify, or with
      --dry-run when something is missing; 2 when the command line is wrong.
    `,
    examples: [
      ['Sync every cluster', '$0 sync-san'],
      ['One cluster', '$0 sync-san c0123456789abcdef0123456789abcdef'],
      ['See what would be appended', '$0 sync-san --dry-run'],
    ],
  });

  clusterIds = Option.Rest({ name: 'clusterId' });
  meshId = Option.String('--mesh-id', {
    description: "The service mesh id (default: ASMPVL_MESH_ID, then the object's asmpvl.io/mesh-id annotation)",
  });
  timeout = Option.String('--timeout', '10m', {
    description: 'Give up waiting for the cluster tasks after this long, e.g. 90s or 10m',
    validator: isDuration,
  });
  dryRun = Option.Boolean('--dry-run', false, {
    description: 'Print the SANs that would be appended and change nothing',
  });

  async execute(): Promise<number> {
    let session: Session | undefined;
    try {
      const { checkClusterId } = await import('../../engine/provisioning/spec-edit');
      let clusterIds: string[];
      try {
        clusterIds = [...new Set(this.clusterIds.map(checkClusterId))];
      } catch (error) {
        this.context.stderr.write(`error: ${(error as Error).message}\n`);
        return ExitCode.Usage;
      }
      const { flowContext, openCommandSession } = await import('../session');
      const { syncSanFlow } = await import('../../engine/provisioning/flows/sync-san');
      const kube = await this.kube();
      session = await openCommandSession(this, this.context.stderr, {
        ms: parseDuration(this.timeout) ?? 600_000,
        label: this.timeout,
      });
      const outcome = await syncSanFlow(await flowContext(kube, session), {
        clusterIds,
        dryRun: this.dryRun,
        meshId: this.meshId,
        env: process.env,
      });
      return this.finish(outcome);
    } catch (error) {
      const { describeCause } = await import('../../engine/provisioning/errors');
      return this.report(new Error(describeCause(error)));
    } finally {
      session?.close();
    }
  }

  private finish(outcome: SyncSanOutcome): number {
    const { stdout, stderr } = this.context;
    const { san } = outcome;
    for (const result of san.results) {
      stdout.write(
        `${result.clusterId}: ${result.domain} ${result.alreadyPresent ? 'already listed' : `appended (${result.before.length} earlier SAN(s) kept)`}\n`,
      );
    }
    for (const pending of san.wouldAppend) stdout.write(`${pending.clusterId}: would append ${pending.domain}\n`);
    for (const clusterId of san.notConnected)
      stderr.write(
        `${clusterId}: its API-server link is not Connected yet; run kubectl asmpvl connect ${clusterId} first\n`,
      );
    for (const failure of outcome.failures) stderr.write(`error: ${failure.message}\n`);
    const ok = outcome.failures.length === 0 && san.notConnected.length === 0 && san.wouldAppend.length === 0;
    return ok ? ExitCode.Ok : ExitCode.Failed;
  }
}
