import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { desiredState } from './desired';
import {
  type ClusterFacts,
  type DesiredInputs,
  type Inventory,
  onlyWaits,
  type PlanScope,
  type VSwitchPlacement,
} from './model';
import { describePlan, planReconcile, resolveResources } from './planner';

// Fixtures are data: the inputs of the two-cluster world, inventories as the cloud would list them,
// and one case per rule with the exact steps (and their order and dependencies) expected.
const FIXTURES = join(__dirname, 'fixtures');
const read = <T>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as T;

interface PlannerCase {
  name: string;
  inventory: string;
  scope: PlanScope;
  /** The spec keeps only these clusters (a disconnect). */
  keepClusters?: string[];
  /** The spec gives these clusters other vSwitches. */
  clusterVSwitches?: Record<string, VSwitchPlacement[]>;
  /** Accounts of the mesh and of clusters (cross-account links). */
  accounts?: Record<string, string>;
  expected: Array<{ id: string; dependsOn: string[] }>;
  problems?: string[];
}

function inputsFor(testCase: PlannerCase): DesiredInputs {
  const inputs = read<DesiredInputs>('inputs-two-clusters');
  let clusters = inputs.clusters;
  if (testCase.keepClusters)
    clusters = clusters.filter((cluster) => testCase.keepClusters!.includes(cluster.clusterId));
  clusters = clusters.map((cluster) => ({
    ...cluster,
    vSwitches: testCase.clusterVSwitches?.[cluster.clusterId] ?? cluster.vSwitches,
  }));
  const accounts = testCase.accounts ?? {};
  const clusterFacts: Record<string, ClusterFacts> = Object.fromEntries(
    Object.entries(inputs.clusterFacts).map(([id, facts]) => [id, { ...facts, accountId: accounts[id] }]),
  );
  return { ...inputs, clusters, clusterFacts, mesh: { ...inputs.mesh, accountId: accounts.mesh } };
}

function inventoryFor(name: string): Inventory {
  return name === 'empty' ? { services: [], endpoints: [] } : read<Inventory>(name);
}

describe('planReconcile', () => {
  const cases = read<PlannerCase[]>('planner-cases');

  test.each(cases.map((testCase) => [testCase.name, testCase] as const))('%s', (_, testCase) => {
    const desired = desiredState(inputsFor(testCase));
    const plan = planReconcile(desired, inventoryFor(testCase.inventory), testCase.scope);
    expect(plan.actions.map((action) => ({ id: action.id, dependsOn: action.dependsOn }))).toEqual(testCase.expected);
    expect(desired.problems.map((problem) => problem.message)).toEqual(testCase.problems ?? []);
  });

  test('every step depends only on steps listed before it', () => {
    for (const testCase of cases) {
      const plan = planReconcile(desiredState(inputsFor(testCase)), inventoryFor(testCase.inventory), testCase.scope);
      plan.actions.forEach((action, index) => {
        const earlier = new Set(plan.actions.slice(0, index).map((candidate) => candidate.id));
        for (const dependency of action.dependsOn)
          expect({ step: action.id, dependency, earlier: earlier.has(dependency) }).toEqual({
            step: action.id,
            dependency,
            earlier: true,
          });
      });
    }
  });

  test('planning again on the same inputs gives the same plan', () => {
    const testCase = cases[0]!;
    const once = planReconcile(desiredState(inputsFor(testCase)), inventoryFor(testCase.inventory), testCase.scope);
    const twice = planReconcile(desiredState(inputsFor(testCase)), inventoryFor(testCase.inventory), testCase.scope);
    expect(twice).toEqual(once);
  });

  test('the known ids are the resources kept for each key', () => {
    const plan = planReconcile(desiredState(inputsFor(cases[1]!)), inventoryFor('inventory-converged'), 'all');
    const known = plan.known.map(({ key, id }) => [key.resource, key.link, key.clusterId ?? '-', id]);
    expect(known.sort((a, b) => a[3]!.localeCompare(b[3]!))).toEqual([
      ['endpoint', 'apiserver', 'c84974f524e2045c87dccadff91a71708', 'ep-apic10000000000001'],
      ['endpoint', 'apiserver', 'cab1659d273777fbbeb08d1f747ad55b7', 'ep-apic20000000000001'],
      ['endpoint', 'pilot', 'c84974f524e2045c87dccadff91a71708', 'ep-pilotc1000000000001'],
      ['endpoint', 'pilot', 'cab1659d273777fbbeb08d1f747ad55b7', 'ep-pilotc2000000000001'],
      ['service', 'apiserver', 'c84974f524e2045c87dccadff91a71708', 'epsrv-apic1000000000001'],
      ['service', 'apiserver', 'cab1659d273777fbbeb08d1f747ad55b7', 'epsrv-apic2000000000001'],
      ['service', 'pilot', '-', 'epsrv-pilot0000000000001'],
    ]);
  });

  test('an endpoint already being deleted is waited for under its own kind, which changes nothing', () => {
    const testCase = cases.find((candidate) => candidate.inventory === 'inventory-disconnect-stopped')!;
    const plan = planReconcile(desiredState(inputsFor(testCase)), inventoryFor(testCase.inventory), testCase.scope);
    const waits = plan.actions.filter((action) => action.kind === 'awaitEndpointGone');
    expect(waits.map((action) => [action.description, action.mutating, onlyWaits(action)])).toEqual([
      [
        'wait for the API-server endpoint of cab1659d273777fbbeb08d1f747ad55b7 ep-apic20000000000001 to be deleted (already being deleted)',
        false,
        true,
      ],
      [
        'wait for the Pilot endpoint of cab1659d273777fbbeb08d1f747ad55b7 ep-pilotc2000000000001 to be deleted (already being deleted)',
        false,
        true,
      ],
    ]);
    expect(plan.actions.filter((action) => action.kind === 'deleteEndpoint')).toEqual([]);
  });

  test('a converged plan reads as nothing to do', () => {
    expect(describePlan({ actions: [], known: [] })).toEqual(['nothing to do: the cloud already matches the spec']);
  });
});

describe('resolveResources', () => {
  test('resources being deleted stand for nothing', () => {
    const inventory = inventoryFor('inventory-converged');
    inventory.endpoints[0]!.status = 'Deleting';
    const resolved = resolveResources(inventory);
    expect(resolved.endpoints.has('endpoint/apiserver/c84974f524e2045c87dccadff91a71708')).toBe(false);
    expect(resolved.surplusEndpoints).toEqual([]);
  });
});
