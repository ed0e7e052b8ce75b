import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { desiredState } from './desired';
import { executePlan } from './executor';
import { observeInventory } from './inventory';
import { type EmulatedRun, startEmulatedRun, WORLD } from './managers/testkit';
import { type Action, type DesiredInputs, type Inventory, onlyWaits, type PlanScope } from './model';
import { planReconcile } from './planner';
import { runStep, type StepContext } from './steps';

// The plan steps run through the managers against the in-process emulator: a fresh link end to
// end, a converged second plan, a disconnect, and the wait for an endpoint already being deleted.
const inputs = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'inputs-two-clusters.json'), 'utf8'),
) as DesiredInputs;
const C1 = WORLD.ack1.clusterId;
const C2 = WORLD.ack2.clusterId;

let run: EmulatedRun;

beforeAll(async () => {
  run = await startEmulatedRun();
});
afterAll(() => run.emulator.stop());
beforeEach(() => run.reset());

function stepContext(): Omit<StepContext, 'ids' | 'polls'> {
  return { ...run.context(), meshId: WORLD.meshId, specRevision: 'uid-1/1' };
}

const inventory = (): Promise<Inventory> => observeInventory(run.cloud, WORLD.meshId, { concurrency: 4 });

/** The desired state of a spec that lists only the clusters in `keep`. */
const desiredFor = (keep: string[]) =>
  desiredState({ ...inputs, clusters: inputs.clusters.filter((cluster) => keep.includes(cluster.clusterId)) });

async function reconcileOnce(keep: string[], scope: PlanScope) {
  const plan = planReconcile(desiredFor(keep), await inventory(), scope);
  const report = await executePlan(plan, stepContext(), { concurrency: 4 });
  return { plan, report };
}

const writes = () =>
  run.emulator
    .requests()
    .filter((entry) => entry.mutating)
    .map((entry) => entry.action);

test('a fresh cluster: every step done, both links Connected, and planning again finds nothing to do', async () => {
  const { report } = await reconcileOnce([C1], { clusterIds: [C1] });
  expect(report.failures).toEqual([]);
  expect(report.outcomes.map((outcome) => outcome.state)).toEqual(report.outcomes.map(() => 'done'));
  const after = await inventory();
  expect(after.endpoints.map((endpoint) => [endpoint.link, endpoint.connectionStatus]).sort()).toEqual([
    ['apiserver', 'Connected'],
    ['pilot', 'Connected'],
  ]);
  expect(planReconcile(desiredFor([C1]), after, { clusterIds: [C1] }).actions).toEqual([]);
});

test('a disconnect deletes the endpoints before their service, and leaves the other cluster alone', async () => {
  await reconcileOnce([C1, C2], 'all');
  const before = writes().length;
  const { report } = await reconcileOnce([C1], { clusterIds: [C2] });
  expect(report.failures).toEqual([]);
  const sent = writes().slice(before);
  expect(sent.filter((action) => action === 'DeleteVpcEndpoint')).toHaveLength(2);
  expect(sent.lastIndexOf('DeleteVpcEndpoint')).toBeLessThan(sent.indexOf('DeleteVpcEndpointService'));
  const after = await inventory();
  expect(after.endpoints.map((endpoint) => endpoint.clusterId)).toEqual([C1, C1]);
  expect(after.services.filter((service) => service.clusterId === C2)).toEqual([]);
});

test('an endpoint already being deleted is only waited for: its own kind, no second delete, not a change', async () => {
  await reconcileOnce([C1], { clusterIds: [C1] });
  const [endpoint] = (await inventory()).endpoints.filter((candidate) => candidate.link === 'apiserver');
  await run.cloud.deleteEndpoint(endpoint!.endpointId, 'token-1');
  const wait: Action = {
    kind: 'awaitEndpointGone',
    id: `apiserver/${C1}/await-endpoint-gone/${endpoint!.endpointId}`,
    description: `wait for the API-server endpoint of ${C1} ${endpoint!.endpointId} to be deleted (already being deleted)`,
    link: 'apiserver',
    clusterId: C1,
    dependsOn: [],
    mutating: false,
    endpointId: endpoint!.endpointId,
  };
  expect(onlyWaits(wait)).toBe(true);
  const report = await executePlan({ actions: [wait], known: [] }, stepContext(), { concurrency: 1 });
  expect(report.outcomes.map((outcome) => [outcome.state, outcome.detail])).toEqual([
    ['done', `${endpoint!.endpointId} deleted`],
  ]);
  expect(report.changed).toBe(false);
  expect(writes().filter((action) => action === 'DeleteVpcEndpoint')).toHaveLength(1);
  expect(await run.cloud.getEndpoint(endpoint!.endpointId)).toBeUndefined();
});

test('with --no-wait, a wait step says it was not waited for and sends nothing', async () => {
  const wait: Action = {
    kind: 'awaitEndpointGone',
    id: `apiserver/${C1}/await-endpoint-gone/ep-1`,
    description: 'wait',
    link: 'apiserver',
    clusterId: C1,
    dependsOn: [],
    mutating: false,
    endpointId: 'ep-1',
  };
  const context: StepContext = { ...stepContext(), wait: false, ids: new Map(), polls: run.polls };
  expect(await runStep(context, wait)).toEqual({ state: 'started', detail: 'not waited for (--no-wait)' });
  expect(run.emulator.requests()).toEqual([]);
});

test('every kind of step that changes the cloud is marked mutating, and no wait is', async () => {
  const desired = desiredState(inputs);
  const actions = planReconcile(desired, { services: [], endpoints: [] }, 'all').actions;
  expect(actions.filter((action) => onlyWaits(action))).toEqual([]);
  expect(actions.every((action) => action.mutating)).toBe(true);
});
