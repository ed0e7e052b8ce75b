import { fakeClock } from '../../testing/fake-clock';
import { MemoryStore } from '../../testing/memory-store';
import type { AsmPvlStatus } from '../status';
import type { FlowContext } from './context';
import { awaitController, failuresInStatus } from './delegate';

const C1 = 'c84974f524e2045c87dccadff91a71708';
const C2 = 'cab1659d273777fbbeb08d1f747ad55b7';
const LINK = { id: 'ep-1', status: 'Active', connectionStatus: 'Connected', domainName: 'ep-1.example' };
const SERVICE = { id: 'epsrv-1', name: 'com.example.epsrv-1', status: 'Active' };

/** C1's API-server endpoint is gone; C2 is whole but the mesh still has it starting. */
const STATUS: AsmPvlStatus = {
  status: 'Degraded',
  clusters: [
    { clusterId: C1, pvlEndpointService: SERVICE },
    { clusterId: C2, pvlEndpointService: SERVICE, pvlEndpoint: LINK },
  ],
  pilot: {
    pvlEndpointService: SERVICE,
    clusters: [
      { clusterId: C1, pvlEndpoint: LINK },
      { clusterId: C2, pvlEndpoint: LINK },
    ],
  },
  mesh: {
    serviceMeshId: 'mesh-1',
    clusters: [
      { clusterId: C1, inMesh: true, state: 'running' },
      { clusterId: C2, inMesh: true, state: 'starting' },
    ],
  },
  conditions: [
    { type: 'Ready', status: 'False', reason: 'LinksNotReady', message: `${C1} and ${C2} are not ready` },
    { type: 'APIServerLinks', status: 'False', reason: 'EndpointMissing', message: `the endpoint of ${C1} is missing` },
    { type: 'PilotLinks', status: 'True', reason: 'Connected' },
    { type: 'MeshReady', status: 'False', reason: 'Joining', message: `mesh-1 has ${C2} starting` },
  ],
};

test('Available: no failures', () => {
  expect(failuresInStatus({ ...STATUS, status: 'Available' }, [C1])).toEqual([]);
});

test("each cluster's failures come from its own fields, typed by cluster and area, not from who a message names", () => {
  expect(failuresInStatus(STATUS, [C1])).toEqual([
    {
      area: 'apiserver',
      clusterId: C1,
      reason: 'EndpointMissing',
      message: `cluster ${C1}: its API-server endpoint is missing; APIServerLinks: the endpoint of ${C1} is missing`,
    },
  ]);
  expect(failuresInStatus(STATUS, [C2])).toEqual([
    {
      area: 'mesh',
      clusterId: C2,
      reason: 'Joining',
      message: `cluster ${C2}: service mesh mesh-1 lists it as starting; MeshReady: mesh-1 has ${C2} starting`,
    },
  ]);
});

test('a cluster the status no longer lists (disconnected) has nothing of its own: the failing conditions are shared', () => {
  const gone = 'c0123456789abcdef0123456789abcdef';
  expect(failuresInStatus(STATUS, [gone]).map((failure) => [failure.clusterId, failure.reason])).toEqual([
    [undefined, 'EndpointMissing'],
    [undefined, 'Joining'],
  ]);
});

describe('awaitController', () => {
  const TOKEN = '2026-12-05T12:00:00.000Z';
  const presence = { lease: 'kube-system/asmpvl-controller', holder: 'pod-a' };
  const reconciling = (reason: string) => ({ type: 'Reconciling', status: 'True', reason, message: reason });

  /** A controller that answers the request, then writes `later` statuses one poll apart. */
  function controller(first: AsmPvlStatus, later: AsmPvlStatus[]) {
    const store = new MemoryStore({
      apiVersion: 'istio.alibabacloud.com/v1beta1',
      kind: 'ASMPvlConfig',
      metadata: { name: 'default' },
      spec: {},
    } as never);
    const clock = fakeClock();
    const write = (status: AsmPvlStatus) => store.writeStatus(() => ({ ...status, lastHandledReconcileAt: TOKEN }));
    const sleep = clock.sleep;
    clock.sleep = async (ms, signal) => {
      await sleep(ms, signal);
      const next = later.shift();
      if (next) await write(next);
    };
    const lines: string[] = [];
    const progress = { info: (line: string) => lines.push(line) };
    const context = {
      store,
      progress,
      signal: new AbortController().signal,
      deadline: { at: 60_000, label: 'the --timeout of 1m' },
      waits: { clock },
    } as unknown as FlowContext;
    return { run: async () => (await write(first), awaitController(context, presence, TOKEN)), lines, clock };
  }

  test('a status still Reconciling without a failure (the mesh starting a cluster) is waited past', async () => {
    const joining = { status: 'Provisioning', conditions: [reconciling('MeshNotReady')] } as AsmPvlStatus;
    const { run, lines, clock } = controller(joining, [joining, { status: 'Available', conditions: [] }]);
    const config = await run();
    expect(config.status?.status).toBe('Available');
    expect(clock.sleeps).toEqual([500, 500]);
    expect(lines).toContain('status: Available');
  });

  test('a failure being retried, or Stalled, is reported at once', async () => {
    const retrying = { status: 'Degraded', conditions: [reconciling('RetryingAfterFailure')] } as AsmPvlStatus;
    const first = controller(retrying, [{ status: 'Available' }]);
    expect((await first.run()).status?.status).toBe('Degraded');
    expect(first.clock.sleeps).toEqual([]);
    const stalled = {
      status: 'Degraded',
      conditions: [{ type: 'Stalled', status: 'True', reason: 'NoSharedZone', message: 'no zone pairs' }],
    } as AsmPvlStatus;
    const second = controller(stalled, [{ status: 'Available' }]);
    expect((await second.run()).status?.status).toBe('Degraded');
  });
});
