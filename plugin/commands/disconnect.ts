import { Command, Option } from 'clipanion';
import { ExitCode } from '../exit-codes';
import type { DisconnectOutcome } from '../../engine/provisioning/flows/disconnect';
import type { Session } from '../../engine/provisioning/session';
import { ClusterCommand, isDuration, parseDuration } from './base';

export class DisconnectCommand extends ClusterCommand {
  static override paths = [['disconnect']];
  static override usage = Command.Usage({
    description: "Remove a cluster's PrivateLink links and its entry in asmpvlconfig/default",
    details: `
      Deletes the cluster's endpoint in the ASM VPC and its API-server endpoint service, and its
      endpoint to Pilot; the shared Pilot endpoint service only when no cluster is left. Then removes
      the cluster from asmpvlconfig/default and from the status. Resources are found by their tags,
      so a disconnect that was stopped, or one run after the entry was removed by hand, finishes the job.

      SANs are kept: the API-server endpoint's domain stays in the cluster's API server certificate.
      ACK can only remove a SAN by overwriting the whole list, which could drop a SAN someone added in
      the meantime and restarts the API server; the domain left behind names the deleted endpoint
      (its id is never reused), so it can serve no one. \`--keep-san\` is accepted and is the default.

      Exit code: 0 when everything is gone; 1 when a step failed (the entry then stays in the spec and
      the status says what is left; run disconnect again); 2 when the command line is wrong.
    `,
    examples: [
      ['Disconnect a cluster', '$0 disconnect c0123456789abcdef0123456789abcdef'],
      ['See what would be deleted', '$0 disconnect c0123456789abcdef0123456789abcdef --dry-run'],
    ],
  });

  clusterId = Option.String({ name: 'clusterId' });
  keepSan = Option.Boolean('--keep-san', true, {
    description: "Leave the endpoint's domain in the cluster's certificate SANs (always so; see above)",
  });
  meshId = Option.String('--mesh-id', {
    description: "The service mesh id (default: ASMPVL_MESH_ID, then the object's asmpvl.io/mesh-id annotation)",
  });
  timeout = Option.String('--timeout', '10m', {
    description: 'Give up waiting after this long, e.g. 90s or 10m',
    validator: isDuration,
  });
  dryRun = Option.Boolean('--dry-run', false, { description: 'Print what would be deleted and change nothing' });

  async execute(): Promise<number> {
    let session: Session | undefined;
    try {
      const { checkClusterId } = await import('../../engine/provisioning/spec-edit');
      let clusterId: string;
      try {
        clusterId = checkClusterId(this.clusterId);
      } catch (error) {
        this.context.stderr.write(`error: ${(error as Error).message}\n`);
        return ExitCode.Usage;
      }
      if (!this.keepSan) {
        this.context.stderr.write(
          'error: --no-keep-san is not supported: SANs are never removed (see kubectl asmpvl disconnect --help)\n',
        );
        return ExitCode.Usage;
      }
      const { flowContext, openCommandSession } = await import('../session');
      const { disconnect } = await import('../../engine/provisioning/flows/disconnect');
      const kube = await this.kube();
      session = await openCommandSession(this, this.context.stderr, {
        ms: parseDuration(this.timeout) ?? 600_000,
        label: this.timeout,
      });
      const outcome = await disconnect(await flowContext(kube, session), {
        clusterId,
        dryRun: this.dryRun,
        meshId: this.meshId,
        env: process.env,
      });
      return await this.finish(outcome, clusterId);
    } catch (error) {
      const { describeCause } = await import('../../engine/provisioning/errors');
      return this.report(new Error(describeCause(error)));
    } finally {
      session?.close();
    }
  }

  private async finish(outcome: DisconnectOutcome, clusterId: string): Promise<number> {
    const { stdout, stderr } = this.context;
    if (outcome.planText) {
      stdout.write(`${outcome.planText.join('\n')}\n`);
      return ExitCode.Ok;
    }
    if (outcome.nothingToDo) {
      stdout.write(`${clusterId}: not in asmpvlconfig/default and nothing of it in the cloud; nothing to do\n`);
      return ExitCode.Ok;
    }
    if (outcome.config) {
      const { renderStatusTable } = await import('../render/status-table');
      stdout.write(renderStatusTable(outcome.config));
    }
    if (outcome.cancelled) {
      stderr.write('error: disconnect was cancelled; run it again to finish\n');
      return ExitCode.Failed;
    }
    if (outcome.failures.length > 0) {
      for (const failure of outcome.failures) stderr.write(`error: ${failure.message}\n`);
      stderr.write(
        `${clusterId} stays in asmpvlconfig/default until its resources are gone; run disconnect again once the cause is fixed\n`,
      );
      return ExitCode.Failed;
    }
    if (outcome.sanLeft)
      stdout.write(
        `\nnote: ${outcome.sanLeft} stays in the API server certificate SANs of ${clusterId} (SANs are never removed)\n`,
      );
    stdout.write(`\n${clusterId}: disconnected\n`);
    return ExitCode.Ok;
  }
}
