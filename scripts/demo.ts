// npm run demo: the whole flow in a sandbox, on this machine alone. Builds (or reuses) the pinned
// kube-apiserver/etcd/kubectl, starts a loopback API server, installs the CRD, starts the cloud
// emulator with a world of two ACK clusters and one mesh, then runs the bundled plugin as a user
// would: connect both clusters (adding them to the mesh), show the status, break a SAN behind its back
// and watch the mesh column go to failed and back to running with sync-san. Then the vendor's own
// flow with asmpvl-controller running: kubectl apply, kubectl wait for Ready, an endpoint deleted
// behind its back is repaired, kubectl delete cleans the cloud. Everything is torn down at the end,
// on failure, and on Ctrl-C.
//
// Environment: ASMPVL_E2E_BIN_DIR to use binaries you already have; ASMPVL_DEMO_DELAY_MS to change
// how long each cloud transition takes in the emulator (default 1000 ms).
import { randomUUID } from 'node:crypto';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { startEmulator, TWO_CLUSTERS_WORLD, type RunningEmulator } from '../test/emulator';
import type { Endpoint } from '../test/emulator/cloud';
import { uniformDelays } from '../test/emulator/delays';
import { createCloud } from '../engine/cloud';
import { configForWorld } from '../test/e2e/controller-sandbox';
import { installAsmpvlCrd, kubectl } from '../test/e2e/harness';
import { binariesIn, startCluster, type Cluster } from '../test/e2e/harness/cluster';
import { E2E_ENV } from '../test/e2e/harness/environment';

const REPO = join(__dirname, '..');
const PLUGIN = join(REPO, 'dist', 'kubectl-asmpvl.cjs');
const CONTROLLER = join(REPO, 'dist', 'asmpvl-controller.cjs');

function say(text: string): void {
  process.stdout.write(`\n\u001b[1m==> ${text}\u001b[0m\n`);
}

function binaries(): string {
  const given = process.env[E2E_ENV.binDir];
  if (given) return given;
  say(
    'Building the pinned kube-apiserver, etcd, kubectl and helm (cached after the first time; the first build takes minutes)',
  );
  const output = execFileSync('bash', [join(REPO, 'test/e2e/tools/build.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  return output.trim().split('\n').pop()!;
}

/** Runs the bundled plugin like `kubectl asmpvl …`, its output straight to the terminal. */
function plugin(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  process.stdout.write(`$ kubectl asmpvl ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PLUGIN, ...args], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 1));
  });
}

/** Runs kubectl as a user would, printing the command and its output; fails on a non-zero exit. */
async function shell(args: string[], input?: string): Promise<void> {
  process.stdout.write(`$ kubectl ${args.join(' ')}\n`);
  const result = await kubectl(args, input === undefined ? {} : { input });
  process.stdout.write(result.stdout);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
}

/** Whether `endpoint` is a Pilot endpoint in the same VPC as `other` (its replacement). */
function isPilotOf(endpoint: Endpoint, other: Endpoint): boolean {
  const pilot = (e: Endpoint) => e.tags.some((tag) => tag.key === 'asmpvl.io/link' && tag.value === 'pilot');
  return pilot(endpoint) && endpoint.vpcId === other.vpcId && endpoint.endpointStatus !== 'Deleting';
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`not repaired within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

async function main(): Promise<number> {
  say('Bundling the plugin');
  execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs')], { stdio: 'inherit' });
  const binDir = binaries();

  let cluster: Cluster | undefined;
  let emulator: RunningEmulator | undefined;
  let controller: ChildProcess | undefined;
  const teardown = async () => {
    await stopProcess(controller);
    controller = undefined;
    await emulator?.stop();
    emulator = undefined;
    await cluster?.stop();
    cluster = undefined;
  };
  const onSignal = () => {
    process.stderr.write('\ninterrupted: tearing the sandbox down\n');
    void teardown().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    say('Starting a local Kubernetes API server (etcd + kube-apiserver on 127.0.0.1)');
    const found = binariesIn(binDir);
    cluster = await startCluster(found);
    Object.assign(process.env, {
      [E2E_ENV.kubeconfig]: cluster.kubeconfigPath,
      [E2E_ENV.kubectl]: found.kubectl,
      [E2E_ENV.helm]: found.helm,
      [E2E_ENV.dir]: cluster.dir,
      [E2E_ENV.server]: cluster.server,
      [E2E_ENV.binDir]: binDir,
    });
    process.stdout.write(`API server at ${cluster.server}\n`);

    say('Installing the ASMPvlConfig CRD');
    await installAsmpvlCrd();

    const delayMs = Number(process.env.ASMPVL_DEMO_DELAY_MS ?? 1000);
    say(
      `Starting the cloud emulator (two ACK clusters in their own VPCs, one mesh; each transition takes ${delayMs} ms)`,
    );
    emulator = await startEmulator({ world: TWO_CLUSTERS_WORLD, delays: uniformDelays(delayMs) });
    const world = emulator.world;
    const [first, second] = world.clusters;
    process.stdout.write(
      `emulator at ${emulator.url}; mesh ${world.serviceMesh.serviceMeshId}; clusters ${first!.clusterId} (${first!.name}), ${second!.clusterId} (${second!.name})\n`,
    );

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KUBECONFIG: cluster.kubeconfigPath,
      ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.credentials.accessKeySecret,
      ALIBABA_CLOUD_REGION_ID: emulator.regionId,
      ASMPVL_CLOUD_ENDPOINT: emulator.url,
    };

    say(
      'Connecting both clusters: neither is in the mesh yet, so connect adds them, links them (PrivateLink both ways, then the API server certificate SANs) and waits until the mesh reports them running',
    );
    const connected = await plugin(
      ['connect', first!.clusterId, second!.clusterId, '--mesh-id', world.serviceMesh.serviceMeshId],
      env,
    );
    if (connected !== 0) throw new Error(`connect exited ${connected}`);

    say('The status, as kubectl asmpvl status -o wide shows it');
    await plugin(['status', '-o', 'wide'], env);

    say(
      `Removing the endpoint domain from ${first!.name}'s certificate SANs behind our back: the mesh can no longer run it`,
    );
    emulator.setClusterSans(first!.clusterId, [...first!.extraSans]);
    await plugin(['status', '--refresh'], env);

    say('Syncing the SANs: the MESH column goes back to running');
    const synced = await plugin(['sync-san'], env);
    if (synced !== 0) throw new Error(`sync-san exited ${synced}`);
    await plugin(['status'], env);

    say('Connecting again on a converged system: no change in the cloud');
    const before = emulator.requests().filter((request) => request.mutating).length;
    await plugin(['connect', first!.clusterId, second!.clusterId], env);
    const after = emulator.requests().filter((request) => request.mutating).length;
    process.stdout.write(`mutating cloud calls in that run: ${after - before}\n`);

    say('The object as kubectl sees it');
    process.stdout.write((await kubectl(['get', 'asmpvlconfig'])).stdout);

    const state = emulator.state();
    say('What the emulated cloud holds now');
    process.stdout.write(`${state.endpointServices.length} endpoint services, ${state.endpoints.length} endpoints\n`);
    for (const sans of state.clusters) process.stdout.write(`${sans.clusterId} SANs: ${sans.extraSans.join(', ')}\n`);

    say("The vendor's own flow: a fresh cloud, asmpvl-controller running, and kubectl alone");
    await shell(['delete', 'asmpvlconfig', 'default', '--wait=true']);
    emulator.reset();
    controller = spawn(
      process.execPath,
      [
        CONTROLLER,
        '--kubeconfig',
        cluster.kubeconfigPath,
        '--leader-election-namespace',
        'kube-system',
        '--health-probe-bind-address',
        '127.0.0.1:0',
        '--resync-period',
        '5s',
      ],
      { env, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    await shell(['apply', '-f', '-'], configForWorld(world, [first!.clusterId, second!.clusterId]));
    await shell(['wait', '--for=condition=Ready', 'asmpvlconfig/default', '--timeout=180s']);
    await plugin(['status'], env);

    const victim = emulator
      .state()
      .endpoints.find((endpoint) =>
        endpoint.tags.some((tag) => tag.key === 'asmpvl.io/link' && tag.value === 'pilot'),
      )!;
    say(`Deleting Pilot endpoint ${victim.endpointId} behind the controller's back: its next resync repairs it`);
    const cloud = createCloud({
      region: emulator.regionId,
      cloudEndpoint: emulator.url,
      credentials: emulator.credentials,
    });
    await cloud.privateLink.endpoints.deleteVpcEndpoint(victim.endpointId, { clientToken: randomUUID() });
    await until(
      () => emulator!.state().endpoints.some((e) => e.endpointId !== victim.endpointId && isPilotOf(e, victim)),
      180_000,
    );
    await shell(['wait', '--for=condition=Ready', 'asmpvlconfig/default', '--timeout=180s']);
    await shell(['get', 'events', '-n', 'default', '--field-selector', 'involvedObject.name=default']);

    say('kubectl delete: the controller removes every endpoint and endpoint service, then lets the object go');
    await shell(['delete', 'asmpvlconfig', 'default', '--wait=true', '--timeout=180s']);
    const left = emulator.state();
    const live = (status: string) => status !== 'Deleting';
    process.stdout.write(
      `left in the cloud: ${left.endpointServices.filter((s) => live(s.serviceStatus)).length} endpoint services, ${left.endpoints.filter((e) => live(e.endpointStatus)).length} endpoints\n`,
    );
    return 0;
  } finally {
    say('Tearing the sandbox down');
    await teardown();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
