import { Command, Option } from 'clipanion';
import { ExitCode } from '../exit-codes';
import type { ConnectOutcome, ConnectRequest } from '../../engine/provisioning/flows/connect';
import type { Session } from '../../engine/provisioning/session';
import { ClusterCommand, isDuration, parseDuration } from './base';

export class ConnectCommand extends ClusterCommand {
  static override paths = [['connect']];
  static override usage = Command.Usage({
    description: 'Connect ACK clusters to the mesh over PrivateLink, both ways, and sync their SANs',
    details: `
      First checks that the service mesh lists each cluster (ASM DescribeClustersInServiceMesh); one it
      does not list is added (AddClusterIntoServiceMesh), as the first step of the vendor's guide, or
      with \`--no-add-to-mesh\` the run stops there, changing nothing. Then adds each cluster to asmpvlconfig/default (through the API server, so the admission webhook checks
      it), then brings the cloud to what the object asks for: an endpoint service on the cluster's API
      server load balancer with an endpoint in the ASM VPC, and an endpoint in the cluster's VPC to the
      mesh's shared Pilot service, only in zones both sides share; accepts the connections; waits until
      everything is Active and Connected; writes the status; then appends the API-server endpoint's
      domain to the cluster's API server certificate SANs (never removing one; \`spec.sanSync: Disabled\`
      turns this off); and last waits (within \`--timeout\`) until the mesh itself reports each cluster
      running, and says so. A second run on a converged system changes nothing; a run that was stopped or
      killed is resumed by running it again. Runs are serialised by a Lease in kube-system.

      Where things come from:

      - \`--vswitch vsw-…\` (or \`vsw-…:<zone>\`, repeatable): the cluster's vSwitches for its endpoint to Pilot; zones are looked up when not given. With several clusters, each vSwitch goes to the cluster whose VPC holds it. Without it: the cluster's entry in the spec, else the cluster's own vSwitches in zones the ASM side has.
      - \`--asm-vswitch\`: the ASM VPC's vSwitches, for creating the object (default: the mesh's own).
      - \`--mesh-id\` (or ASMPVL_MESH_ID): the service mesh; recorded on the object (annotation asmpvl.io/mesh-id) on the first run, so later commands need no flag.
      - \`--pilot-load-balancer\`: the mesh's private Pilot load balancer, if not the internal CLB at its IntranetPilotEndpoint address (recorded as annotation asmpvl.io/pilot-load-balancer).

      Exit code: 0 when the clusters are connected and the mesh runs them (with --no-wait: when every
      change was started); 1 when a step failed, a cluster is not in the mesh and --no-add-to-mesh was
      given, or the mesh does not report a cluster running (the message names the step, the cloud request id and what to do, and the
      status says what failed), or on Ctrl-C; 2 when the command line is wrong.
    `,
    examples: [
      [
        'Connect a cluster (the first one also creates the object)',
        '$0 connect c0123456789abcdef0123456789abcdef --mesh-id cf9171d03515f8f0920a4425eca656495 --region cn-hangzhou',
      ],
      [
        'Choose its vSwitches (zones looked up)',
        '$0 connect c0123456789abcdef0123456789abcdef --vswitch vsw-bp1jsgsanpvxpj32yai50',
      ],
      [
        'Give the zone yourself',
        '$0 connect c0123456789abcdef0123456789abcdef --vswitch vsw-bp1jsgsanpvxpj32yai50:cn-hangzhou-j',
      ],
      [
        'Connect two clusters side by side',
        '$0 connect c0123456789abcdef0123456789abcdef c84974f524e2045c87dccadff91a71708',
      ],
      ['See what would change', '$0 connect c0123456789abcdef0123456789abcdef --dry-run'],
      [
        'Only clusters already added to the mesh (in its console)',
        '$0 connect c0123456789abcdef0123456789abcdef --no-add-to-mesh',
      ],
      ['Start the changes and return', '$0 connect c0123456789abcdef0123456789abcdef --no-wait && $0 status --wait'],
    ],
  });

  clusterIds = Option.Rest({ required: 1, name: 'clusterId' });
  vSwitches = Option.Array('--vswitch', [], {
    description: "A vSwitch of the cluster's VPC for its endpoint to Pilot: vsw-… or vsw-…:<zone>. Repeatable.",
  });
  asmVSwitches = Option.Array('--asm-vswitch', [], {
    description: 'A vSwitch of the ASM VPC for the endpoints to the API servers: vsw-… or vsw-…:<zone>. Repeatable.',
  });
  meshId = Option.String('--mesh-id', {
    description: "The service mesh id (default: ASMPVL_MESH_ID, then the object's asmpvl.io/mesh-id annotation)",
  });
  pilotLoadBalancer = Option.String('--pilot-load-balancer', {
    description:
      "The mesh's private Pilot load balancer (default: the internal CLB at its IntranetPilotEndpoint address)",
  });
  wait = Option.Boolean('--wait', true, {
    description:
      'Wait until everything is Active and Connected and the SANs are synced (--no-wait: start the changes and return)',
  });
  addToMesh = Option.Boolean('--add-to-mesh', true, {
    description: 'Add a cluster the mesh does not list yet (--no-add-to-mesh: stop with an error instead)',
  });
  timeout = Option.String('--timeout', '10m', {
    description: 'Give up waiting after this long, e.g. 90s or 10m',
    validator: isDuration,
  });
  dryRun = Option.Boolean('--dry-run', false, {
    description: 'Print what would change (the spec write is a server-side dry run) and change nothing',
  });

  async execute(): Promise<number> {
    const started = Date.now();
    let session: Session | undefined;
    try {
      const { parseVSwitchFlag, checkClusterId } = await import('../../engine/provisioning/spec-edit');
      const { flowContext, openCommandSession } = await import('../session');
      const { connect } = await import('../../engine/provisioning/flows/connect');
      let clusterIds: string[];
      let request: ConnectRequest;
      try {
        clusterIds = [...new Set(this.clusterIds.map(checkClusterId))];
        request = {
          clusterIds,
          vSwitches: this.vSwitches.map((text) => parseVSwitchFlag('--vswitch', text)),
          asmVSwitches: this.asmVSwitches.map((text) => parseVSwitchFlag('--asm-vswitch', text)),
          meshId: this.meshId,
          pilotLoadBalancerId: checkLoadBalancerId(this.pilotLoadBalancer),
          wait: this.wait,
          dryRun: this.dryRun,
          addToMesh: this.addToMesh,
          env: process.env,
        };
      } catch (error) {
        this.context.stderr.write(`error: ${(error as Error).message}\n`);
        return ExitCode.Usage;
      }
      const kube = await this.kube();
      session = await openCommandSession(this, this.context.stderr, {
        ms: parseDuration(this.timeout) ?? 600_000,
        label: this.timeout,
      });
      const outcome = await connect(await flowContext(kube, session), request);
      return await this.finish(outcome, session, clusterIds, started);
    } catch (error) {
      return this.report(await explain(error));
    } finally {
      session?.close();
    }
  }

  private async finish(
    outcome: ConnectOutcome,
    session: Session,
    clusterIds: string[],
    started: number,
  ): Promise<number> {
    const { stdout, stderr } = this.context;
    if (outcome.planText) {
      stdout.write(`${outcome.planText.join('\n')}\n`);
      return outcome.failures.length > 0 ? this.failures(outcome) : ExitCode.Ok;
    }
    const { renderStatusTable } = await import('../render/status-table');
    stdout.write(renderStatusTable(outcome.config));
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const calls = `${session.count.calls} cloud call(s), ${session.count.mutating} change(s)`;
    if (outcome.cancelled) {
      stderr.write(
        `error: connect was cancelled after ${seconds}s (${calls}); run it again to continue where it stopped\n`,
      );
      return ExitCode.Failed;
    }
    if (outcome.failures.length > 0) return this.failures(outcome);
    const state = this.wait
      ? 'connected'
      : 'changes started (not waited for: follow with kubectl asmpvl status --wait, then run connect again to sync the SANs)';
    stdout.write(`\n${clusterIds.join(', ')}: ${state} in ${seconds}s (${calls})\n`);
    for (const verdict of outcome.meshVerdicts ?? []) {
      const meshId = outcome.config.status?.mesh?.serviceMeshId ?? 'the mesh';
      stdout.write(
        `${verdict.clusterId}: ${verdict.phase === 'notInMesh' ? 'not in' : `${verdict.state ?? 'no state'} in`} service mesh ${meshId}\n`,
      );
    }
    return ExitCode.Ok;
  }

  private failures(outcome: ConnectOutcome): number {
    for (const failure of outcome.failures) this.context.stderr.write(`error: ${failure.message}\n`);
    if (outcome.status)
      this.context.stderr.write(
        `status: ${outcome.status.status} (kubectl asmpvl status shows what failed; run connect again once it is fixed)\n`,
      );
    return ExitCode.Failed;
  }
}

function checkLoadBalancerId(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  const trimmed = id.trim().toLowerCase();
  if (/^(lb|nlb|alb)-[a-z0-9]+$/.test(trimmed)) return trimmed;
  throw new Error(`--pilot-load-balancer ${id}: expected a load balancer id like lb-bp16celq5ex8a6b72u1ck`);
}

/** A cloud error as one line with its request id and next step; anything else as its message. */
async function explain(error: unknown): Promise<Error> {
  const { describeCause } = await import('../../engine/provisioning/errors');
  return new Error(describeCause(error));
}
