import type { StoredConfig } from '../../engine/kube/store';
import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { readSpec } from '../../core/spec-view';
import type { AccountClouds, Cloud, CloudCallEvent } from '../../engine/cloud';
import {
  anyFailed,
  type Finding,
  formatFinding,
  type Outcome,
  type ProbeError,
  type SpecFacts,
  summaryLine,
} from '../doctor/checks';
import type { CatalogueEntry } from '../../engine/cloud/catalogue';
import type { PermissionObservation } from '../doctor/permissions';
import { type CloudProbes, type DoctorProbes, type KubeProbes, runDoctor } from '../doctor/run';
import { ExitCode } from '../exit-codes';
import type { Kube } from '../../engine/kube';
import { ClusterCommand } from './base';

// Doctor should answer in seconds even when the cloud is unreachable: one retry, a short budget.
const DOCTOR_RETRY = { maxAttempts: 2, maxElapsedMs: 10_000 };

/** What a thrown error says, as a verdict needs it: the cloud's code and request id, the HTTP status. */
function probeError(error: unknown): ProbeError {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  if (fields.name === 'CloudError') {
    // The cloud's words and request id; the finding brings its own fix, so the error's "Next:" is left out.
    const text = (key: string) => (typeof fields[key] === 'string' ? fields[key] : '');
    const subject = `${text('product')} ${text('action')}${text('resourceId') ? ` for ${text('resourceId')}` : ''}`;
    return {
      message: `${subject} failed: ${text('code')}${text('requestId') ? ` (request id ${text('requestId')})` : ''}: ${text('message')}`,
      code: fields.code as string,
      requestId: fields.requestId as string | undefined,
      httpStatus: fields.httpStatus as number | undefined,
      notFound: (error as { notFound: boolean }).notFound,
    };
  }
  const status = typeof fields.status === 'number' ? fields.status : undefined;
  return {
    message: error instanceof Error ? error.message : String(error),
    httpStatus: status,
    notFound: status === 404,
  };
}

async function attempt<T>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: probeError(error) };
  }
}

function specFacts(object: unknown): SpecFacts {
  const view = readSpec(object);
  const zones = [...view.asmVSwitches, ...view.clusters.flatMap((cluster) => cluster.vSwitches)].flatMap((vSwitch) =>
    vSwitch.zoneId ? [vSwitch.zoneId] : [],
  );
  const status = (object as { status?: { status?: string } }).status?.status;
  const meshId = (object as { metadata?: { annotations?: Record<string, string> } }).metadata?.annotations?.[
    'asmpvl.io/mesh-id'
  ];
  return {
    clusterIds: view.clusters.flatMap((cluster) => (cluster.clusterId ? [cluster.clusterId] : [])),
    zones,
    status,
    ...(meshId ? { meshId } : {}),
  };
}

export class DoctorCommand extends ClusterCommand {
  static override paths = [['doctor']];
  static override usage = Command.Usage({
    description: 'Check what connect needs, and say how to fix what is missing',
    details: `
      Checks, in order: the kubeconfig and context load and the API server answers; the ASMPvlConfig
      CRD is installed; the admission webhook is installed and answering (a server-side dry run of an
      object whose zones do not pair must be refused); the cloud credentials work (a signed read
      call); PrivateLink is opened for the account (CheckProductOpen); each RAM permission in
      \`kubectl asmpvl policy\` is granted (each action once: with DryRun where the API takes it,
      otherwise a read or a call on an id no one owns; a missing one names the RAM action and the
      policy line that grants it); the zones of the spec support
      PrivateLink (DescribeZones); each cluster of the spec is visible through the ACK API
      (DescribeClusterDetail); each cluster is in the service mesh and the mesh runs it
      (DescribeClustersInServiceMesh), and when it does not, which of (a) the API-server link, (b) the
      Pilot link, (c) the endpoint domain in the certificate SANs is missing (read by tags and from
      ACK). The mesh is ASMPVL_MESH_ID, else the one connect recorded on the object. A check that depends on a failed one is skipped. Nothing is changed,
      in the cluster or in the cloud.

      The region is --region, else ALIBABA_CLOUD_REGION_ID, else the region of the spec's zones.

      Exit code: 0 when no check failed (warnings allowed), 1 when any check failed, 2 when the
      command line is wrong.
    `,
    examples: [
      ['Check everything', '$0 doctor'],
      ['Another context and region', '$0 doctor --context asm-prod --region cn-shanghai'],
      ['Machine-readable findings', '$0 doctor -o json'],
    ],
  });

  output = Option.String('-o,--output', 'text', {
    description: 'text or json',
    validator: t.isEnum(['text', 'json'] as const),
  });

  /** The request id of the last answer to each action, for the findings. */
  private readonly lastRequestId = new Map<string, string>();

  async execute(): Promise<number> {
    const stdout = this.context.stdout as NodeJS.WritableStream & { isTTY?: boolean };
    const terminal = stdout.isTTY === true;
    const format = { symbols: terminal, color: terminal && !this.context.env.NO_COLOR };
    const print =
      this.output === 'text' ? (finding: Finding) => stdout.write(formatFinding(finding, format)) : () => {};
    const findings = await runDoctor(this.probes(), print);
    if (this.output === 'json') stdout.write(`${JSON.stringify({ ok: !anyFailed(findings), findings }, null, 2)}\n`);
    else stdout.write(`\n${summaryLine(findings)}\n`);
    return anyFailed(findings) ? ExitCode.Failed : ExitCode.Ok;
  }

  private probes(): DoctorProbes {
    const env = this.context.env;
    const regionFlag = this.region?.trim();
    const regionEnv = env.ALIBABA_CLOUD_REGION_ID?.trim();
    return {
      region: regionFlag
        ? { id: regionFlag, source: '--region' }
        : regionEnv
          ? { id: regionEnv, source: 'ALIBABA_CLOUD_REGION_ID' }
          : undefined,
      meshId: env.ASMPVL_MESH_ID?.trim() || undefined,
      kube: () => attempt(async () => this.kubeProbes(await this.kube())),
      cloud: (region) => attempt(async () => this.cloudProbes(await this.doctorCloud(region))),
    };
  }

  private kubeProbes(kube: Kube): KubeProbes {
    return {
      context: kube.contextName,
      server: kube.server,
      crdInstalled: () => attempt(() => kube.crdInstalled()),
      crdFacts: () => attempt(() => kube.readCrd()),
      readSpec: () =>
        attempt(async () => {
          const config = await kube.getConfig();
          return config ? specFacts(config) : undefined;
        }),
      controller: () =>
        attempt(async () => {
          const config: StoredConfig | undefined = await kube.getConfig();
          if (!config) return undefined;
          const { readControllerLease } = await import('../../engine/kube/controller-lease');
          const found = await readControllerLease(kube, config);
          return {
            lease: config.metadata.annotations?.['asmpvl.io/controller'],
            leaseSpec: found?.spec,
            statusWriters: (config.metadata.managedFields ?? []).flatMap((entry) =>
              entry.subresource === 'status' && entry.manager ? [{ manager: entry.manager, time: entry.time }] : [],
            ),
            ready: config.status?.conditions?.find((condition) => condition.type === 'Ready'),
            now: Date.now(),
          };
        }),
      dryRunCreate: (object) =>
        attempt(async () => {
          const result = await kube.dryRunCreate(object);
          return {
            accepted: result.accepted,
            message: result.message,
            httpStatus: result.status,
            reason: result.reason,
          };
        }),
    };
  }

  /** Cloud clients with doctor's short retry budget; -v prints each call with its request id. */
  private async doctorCloud(region: string): Promise<AccountClouds> {
    const { createAccountClouds, describeCloudTarget, resolveCloudSettings } = await import('../../engine/cloud');
    const settings = resolveCloudSettings(
      {
        region,
        profile: this.profile,
        cloudEndpoint: this.cloudEndpoint,
        allowInsecureCloudEndpoint: this.allowInsecureCloudEndpoint,
        clusterRoles: this.clusterRole,
      },
      this.context.env,
    );
    if (this.verbose > 0) this.context.stderr.write(`${describeCloudTarget(settings)}\n`);
    const onCall = (event: CloudCallEvent) => {
      if (event.requestId) this.lastRequestId.set(event.action, event.requestId);
      if (this.verbose > 0) {
        const outcome = event.error ? `${event.error.code}` : 'ok';
        this.context.stderr.write(
          `cloud: ${event.product} ${event.action} ${outcome} in ${event.durationMs} ms${event.requestId ? `, request id ${event.requestId}` : ''}\n`,
        );
      }
    };
    return createAccountClouds({ ...settings, retry: DOCTOR_RETRY, onCall });
  }

  /**
   * Every RAM action in the policy, probed a few at a time (engine/cloud/permissions.ts). Across
   * accounts, each identity is probed for its own side's actions, after checking that the mesh's
   * identity can assume each cluster role (STS GetCallerIdentity through the role).
   */
  private async permissionObservations(accounts: AccountClouds): Promise<PermissionObservation[]> {
    const { actionsOf, GOVERNED_ACTIONS, catalogueEntry } = await import('../../engine/cloud/catalogue');
    if (!accounts.crossAccount) return this.observe(accounts.mesh, GOVERNED_ACTIONS);
    const assumeRole = catalogueEntry('STS', 'AssumeRole')!;
    const observations = await this.observe(accounts.mesh, actionsOf('mesh'), 'the mesh account');
    for (const role of accounts.roles()) {
      const identity = `role ${role.roleArn}`;
      try {
        const caller = await role.cloud.sts.getCallerIdentity();
        if (caller.accountId !== role.accountId)
          throw new Error(`it acts in account ${caller.accountId}, not ${role.accountId}`);
      } catch (error) {
        observations.push({
          ramAction: assumeRole.ramAction,
          purpose: assumeRole.purpose,
          status: 'denied',
          probe: 'read',
          identity: `the mesh account (assuming ${role.roleArn})`,
          message: error instanceof Error ? error.message : String(error),
        });
        continue;
      }
      observations.push(...(await this.observe(role.cloud, actionsOf('cluster'), identity)));
    }
    return observations;
  }

  private async observe(
    cloud: Cloud,
    entries: readonly CatalogueEntry[],
    identity?: string,
  ): Promise<PermissionObservation[]> {
    const { mapBounded } = await import('../../engine/concurrency');
    return mapBounded([...entries], 8, async (entry) => {
      const verdict = await cloud.permissions.check(entry);
      return {
        ramAction: entry.ramAction,
        purpose: entry.purpose,
        status: verdict.status,
        probe: entry.probe,
        code: verdict.error?.code,
        requestId: verdict.error?.requestId,
        message: verdict.error?.message,
        ...(identity ? { identity } : {}),
      };
    });
  }

  private cloudProbes(accounts: AccountClouds): CloudProbes {
    const cloud = accounts.mesh;
    return {
      credentials: () =>
        attempt(async () => {
          await cloud.vpc.describeVSwitches({ pageSize: 1 });
          return { requestId: this.lastRequestId.get('DescribeVSwitches') };
        }),
      privateLinkOpen: () => attempt(() => cloud.privateLink.account.checkProductOpen()),
      privateLinkZones: () =>
        attempt(async () =>
          (await cloud.privateLink.account.describeZones({ serviceResourceType: 'slb' })).map((zone) => zone.zoneId),
        ),
      cluster: (clusterId) =>
        attempt(async () => {
          const detail = await accounts.forCluster(clusterId).ack.describeClusterDetail(clusterId);
          return { name: detail.name, state: detail.state, regionId: detail.regionId };
        }),
      permissions: () => this.permissionObservations(accounts),
      mesh: (meshId, clusterIds) =>
        attempt(async () => {
          // Loaded only here: the provisioning reads (by tags) are the heaviest part of the bundle.
          const { provisioningCloud } = await import('../../engine/provisioning/cloud-port');
          const { observeInventory } = await import('../../engine/provisioning/inventory');
          const { discoverClusters } = await import('../../engine/provisioning/discovery');
          const port = provisioningCloud(accounts);
          const [meshClusters, inventory, discovery] = await Promise.all([
            port.describeMeshClusters(meshId),
            observeInventory(port, meshId, { concurrency: 8 }),
            discoverClusters(port, clusterIds, new Set(), 8),
          ]);
          return { meshClusters, inventory, clusterFacts: discovery.facts };
        }),
    };
  }
}
