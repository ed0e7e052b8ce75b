import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudError } from '../cloud/errors';
import type {
  CreateEndpointRequest,
  CreateEndpointServiceRequest,
  Endpoint,
  EndpointService,
} from '../cloud/privatelink';
import type { ProvisioningCloud } from './cloud-port';
import { desiredState } from './desired';
import { type ExecuteOptions, executePlan, StepRun } from './executor';
import type { Action, DesiredInputs, Plan } from './model';
import { planReconcile } from './planner';
import type { Clock } from '../clock';

const FIXTURES = join(__dirname, 'fixtures');
const inputs = JSON.parse(readFileSync(join(FIXTURES, 'inputs-two-clusters.json'), 'utf8')) as DesiredInputs;
const C1 = 'c84974f524e2045c87dccadff91a71708';
const C2 = 'cab1659d273777fbbeb08d1f747ad55b7';

/** PrivateLink in memory: creates settle after one read, connections after one accept. */
class FakePrivateLink {
  readonly services = new Map<string, EndpointService & { reads: number }>();
  readonly endpoints = new Map<string, Endpoint & { reads: number }>();
  readonly calls: string[] = [];
  readonly tokens: string[] = [];
  failCreateServiceFor?: string;
  private next = 0;

  port(): ProvisioningCloud {
    return {
      createService: async (request: CreateEndpointServiceRequest) => {
        this.calls.push('CreateVpcEndpointService');
        this.tokens.push(request.clientToken!);
        const resourceId = request.resources[0]!.resourceId;
        if (resourceId === this.failCreateServiceFor) {
          throw new CloudError({
            product: 'PrivateLink',
            action: 'CreateVpcEndpointService',
            code: 'QuotaExceeded.EndpointService',
            message: 'quota reached',
            requestId: 'REQ-42',
            httpStatus: 400,
            retryable: false,
            resourceId,
          });
        }
        const service = {
          serviceId: `epsrv-${++this.next}`,
          serviceStatus: 'Creating',
          zones: [],
          tags: request.tags ?? [],
          reads: 0,
        };
        this.services.set(service.serviceId, service);
        return service;
      },
      getService: async (serviceId: string) => this.readService(this.services.get(serviceId)),
      listServices: async () => [...this.services.values()].map((service) => this.readService(service)!),
      createEndpoint: async (request: CreateEndpointRequest) => {
        this.calls.push('CreateVpcEndpoint');
        this.tokens.push(request.clientToken!);
        const endpointId = `ep-${++this.next}`;
        const endpoint = {
          endpointId,
          endpointDomain: `${endpointId}.privatelink.example`,
          serviceId: request.serviceId,
          endpointStatus: 'Creating',
          connectionStatus: 'Disconnected',
          tags: request.tags ?? [],
          reads: 0,
        };
        this.endpoints.set(endpoint.endpointId, endpoint);
        return endpoint;
      },
      getEndpoint: async (endpointId: string) => this.readEndpoint(this.endpoints.get(endpointId)),
      listEndpoints: async () => [...this.endpoints.values()].map((endpoint) => this.readEndpoint(endpoint)!),
      enableConnection: async (_: string, endpointId: string) => {
        this.calls.push('EnableVpcEndpointConnection');
        this.endpoints.get(endpointId)!.connectionStatus = 'Connected';
        return {};
      },
    } as unknown as ProvisioningCloud;
  }

  private readService(service: (EndpointService & { reads: number }) | undefined) {
    if (service && ++service.reads > 1) service.serviceStatus = 'Active';
    return service;
  }

  private readEndpoint(endpoint: (Endpoint & { reads: number }) | undefined) {
    if (endpoint && ++endpoint.reads > 1 && endpoint.endpointStatus === 'Creating') {
      endpoint.endpointStatus = 'Active';
      endpoint.connectionStatus = 'Pending';
    }
    return endpoint;
  }
}

const clock: Clock = { now: () => 0, sleep: async () => undefined };

function run(
  fake: FakePrivateLink,
  options: { wait?: boolean; signal?: AbortSignal; listen?: Pick<ExecuteOptions, 'onDone' | 'onClusterSettled'> } = {},
) {
  const plan = planReconcile(desiredState(inputs), { services: [], endpoints: [] }, 'all');
  return executePlan(
    plan,
    {
      cloud: fake.port(),
      meshId: inputs.meshId,
      specRevision: 'uid-1/1',
      deadline: { at: Number.POSITIVE_INFINITY, label: '--timeout 10m' },
      waits: { clock, initialMs: 1, lateFraction: 0, maxIntervalMs: 1, perWaitMs: 60_000 },
      wait: options.wait ?? true,
      signal: options.signal,
    },
    { concurrency: 4, ...options.listen },
  );
}

describe('executePlan', () => {
  test('runs a fresh plan to the end: every step done, created resources tagged and connected', async () => {
    const fake = new FakePrivateLink();
    const report = await run(fake);
    expect(report.outcomes.map((outcome) => outcome.state)).toEqual(Array(11).fill('done'));
    expect(report.failures).toEqual([]);
    expect(report.changed).toBe(true);
    expect(fake.calls.filter((call) => call === 'CreateVpcEndpointService')).toHaveLength(3);
    expect(fake.calls.filter((call) => call === 'CreateVpcEndpoint')).toHaveLength(4);
    expect([...fake.endpoints.values()].map((endpoint) => endpoint.connectionStatus)).toEqual(
      Array(4).fill('Connected'),
    );
    const pilot = [...fake.services.values()].find((service) =>
      service.tags.some((tag) => tag.key === 'asmpvl.io/link' && tag.value === 'pilot'),
    );
    expect(pilot?.tags).toEqual([
      { key: 'asmpvl.io/managed-by', value: 'kubectl-asmpvl' },
      { key: 'asmpvl.io/mesh', value: inputs.meshId },
      { key: 'asmpvl.io/link', value: 'pilot' },
    ]);
  });

  test('the same plan on the same spec sends the same ClientTokens', async () => {
    const first = new FakePrivateLink();
    const second = new FakePrivateLink();
    await run(first);
    await run(second);
    expect(second.tokens.sort()).toEqual(first.tokens.sort());
    expect(new Set(first.tokens).size).toBe(7);
  });

  test("a failed step blocks only the steps after it; the other cluster's links are made", async () => {
    const fake = new FakePrivateLink();
    fake.failCreateServiceFor = inputs.clusterFacts[C2]!.apiServerLoadBalancer!.loadBalancerId;
    const report = await run(fake);
    const states = Object.fromEntries(report.outcomes.map((outcome) => [outcome.action.id, outcome.state]));
    expect(states).toEqual({
      'pilot/shared/create-service': 'done',
      [`apiserver/${C1}/create-service`]: 'done',
      [`apiserver/${C1}/create-endpoint`]: 'done',
      [`apiserver/${C1}/connect`]: 'done',
      [`pilot/${C1}/create-endpoint`]: 'done',
      [`pilot/${C1}/connect`]: 'done',
      [`apiserver/${C2}/create-service`]: 'failed',
      [`apiserver/${C2}/create-endpoint`]: 'blocked',
      [`apiserver/${C2}/connect`]: 'blocked',
      [`pilot/${C2}/create-endpoint`]: 'done',
      [`pilot/${C2}/connect`]: 'done',
    });
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]!.requestId).toBe('REQ-42');
    expect(report.failures[0]!.reason).toBe('QuotaExceededEndpointService');
    expect(report.failures[0]!.message).toBe(
      `create the API-server endpoint service of ${C2} on lb-bp1sui76uf7xxd5korkdo in cn-hangzhou-k failed: PrivateLink CreateVpcEndpointService for lb-bp1sui76uf7xxd5korkdo failed: QuotaExceeded.EndpointService (HTTP 400, request id REQ-42): quota reached`,
    );
  });

  test('with --no-wait the creates are started and what needs them Active is deferred', async () => {
    const fake = new FakePrivateLink();
    const report = await run(fake, { wait: false });
    const counts = report.outcomes.reduce<Record<string, number>>(
      (all, outcome) => ({ ...all, [outcome.state]: (all[outcome.state] ?? 0) + 1 }),
      {},
    );
    expect(counts).toEqual({ started: 3, deferred: 8 });
    expect(fake.calls).toEqual(['CreateVpcEndpointService', 'CreateVpcEndpointService', 'CreateVpcEndpointService']);
  });

  test("tells each API-server link's domain once Connected, and each cluster once all its steps ended", async () => {
    const fake = new FakePrivateLink();
    const events: string[] = [];
    const report = await run(fake, {
      listen: {
        onDone: (action, result) => {
          if (result.domain) events.push(`connected ${action.link} ${action.clusterId} ${result.domain}`);
          // A listener that throws fails nothing.
          if (action.kind === 'createService') throw new Error('listener bug');
        },
        onClusterSettled: (clusterId, ids) => {
          const mine = [...ids.keys()].filter((name) => name.endsWith(`/${clusterId}`)).sort();
          events.push(`settled ${clusterId} ${mine.join(' ')}`);
        },
      },
    });
    expect(report.failures).toEqual([]);
    const domainOf = (clusterId: string, link: string) =>
      [...fake.endpoints.values()].find(
        (endpoint) =>
          endpoint.tags.some((tag) => tag.key === 'asmpvl.io/cluster' && tag.value === clusterId) &&
          endpoint.tags.some((tag) => tag.key === 'asmpvl.io/link' && tag.value === link),
      )?.endpointDomain;
    for (const clusterId of [C1, C2]) {
      for (const link of ['apiserver', 'pilot'])
        expect(events).toContain(`connected ${link} ${clusterId} ${domainOf(clusterId, link)}`);
      const settled = events.indexOf(
        `settled ${clusterId} endpoint/apiserver/${clusterId} endpoint/pilot/${clusterId} service/apiserver/${clusterId}`,
      );
      // After every step of that cluster: both its connections were told first.
      expect(settled).toBeGreaterThan(
        events.indexOf(`connected apiserver ${clusterId} ${domainOf(clusterId, 'apiserver')}`),
      );
      expect(settled).toBeGreaterThan(events.indexOf(`connected pilot ${clusterId} ${domainOf(clusterId, 'pilot')}`));
    }
    expect(events.filter((event) => event.startsWith('settled'))).toHaveLength(2);
  });

  test('a cancelled run starts nothing', async () => {
    const fake = new FakePrivateLink();
    const controller = new AbortController();
    controller.abort();
    const report = await run(fake, { signal: controller.signal });
    expect(report.cancelled).toBe(true);
    expect(fake.calls).toEqual([]);
  });
});

function stepRun(
  fake: FakePrivateLink,
  options: Partial<ExecuteOptions> & { signal?: AbortSignal; release?: AbortSignal } = {},
): StepRun {
  const { signal, release, ...execute } = options;
  return new StepRun(
    {
      cloud: fake.port(),
      meshId: inputs.meshId,
      specRevision: 'uid-1/1',
      deadline: { at: Number.POSITIVE_INFINITY, label: '--timeout 10m' },
      waits: {
        clock,
        initialMs: 1,
        lateFraction: 0,
        maxIntervalMs: 1,
        perWaitMs: 60_000,
        ...(release ? { hold: { waitMs: 60_000, release } } : {}),
      },
      wait: true,
      signal,
    },
    { concurrency: 4, ...execute },
  );
}

const desired = desiredState(inputs);
const empty = { services: [], endpoints: [] };
const planFor = (clusterId: string) => planReconcile(desired, empty, { clusterIds: [clusterId] });
const only = (plan: Plan, keep: (action: Action) => boolean): Plan => ({ ...plan, actions: plan.actions.filter(keep) });

/** Resolves once `count` steps ended done (told through onDone). */
function doneCounter() {
  const ended: string[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  return {
    ended,
    onDone: (action: Action) => {
      ended.push(action.id);
      for (const waiter of waiters) if (ended.length >= waiter.count) waiter.resolve();
    },
    after: (count: number) =>
      new Promise<void>((resolve) => {
        if (ended.length >= count) resolve();
        else waiters.push({ count, resolve });
      }),
  };
}

describe('StepRun: steps added while it runs', () => {
  test("a cluster's steps added while another's run; the shared Pilot service's steps, planned with both, run once", async () => {
    const fake = new FakePrivateLink();
    const done = doneCounter();
    const run = stepRun(fake, { onDone: done.onDone });
    run.add(planFor(C1));
    await done.after(1);
    run.add(planFor(C2));
    const report = await run.close();
    expect(report.outcomes.map((outcome) => outcome.state)).toEqual(Array(11).fill('done'));
    expect(new Set(report.outcomes.map((outcome) => outcome.action.id)).size).toBe(11);
    expect(fake.calls.filter((call) => call === 'CreateVpcEndpointService')).toHaveLength(3);
    expect(fake.calls.filter((call) => call === 'CreateVpcEndpoint')).toHaveLength(4);
    // The whole plan added at the end adds nothing the run holds already.
    const whole = planReconcile(desired, empty, 'all');
    expect(whole.actions.map((action) => action.id).sort()).toEqual(
      report.outcomes.map((outcome) => outcome.action.id).sort(),
    );
  });

  test('a step that depends on one not added yet waits for it; one never added is blocked at close', async () => {
    const fake = new FakePrivateLink();
    const done = doneCounter();
    const run = stepRun(fake, { onDone: done.onDone });
    const plan = planFor(C1);
    const pilotService = 'pilot/shared/create-service';
    run.add(only(plan, (action) => action.id !== pilotService));
    // The API-server link's three steps end; the Pilot endpoint waits for its service.
    await done.after(3);
    expect(done.ended.sort()).toEqual(
      [`apiserver/${C1}/connect`, `apiserver/${C1}/create-endpoint`, `apiserver/${C1}/create-service`].sort(),
    );
    expect(fake.calls.filter((call) => call === 'CreateVpcEndpoint')).toHaveLength(1);
    run.add(only(plan, (action) => action.id === pilotService));
    run.add({
      actions: [
        { ...plan.actions.find((action) => action.id === `pilot/${C1}/connect`)!, id: 'orphan', dependsOn: ['never'] },
      ],
      known: [],
    });
    const report = await run.close();
    const states = Object.fromEntries(report.outcomes.map((outcome) => [outcome.action.id, outcome.state]));
    expect(states).toEqual({
      [`apiserver/${C1}/create-service`]: 'done',
      [`apiserver/${C1}/create-endpoint`]: 'done',
      [`apiserver/${C1}/connect`]: 'done',
      [`pilot/${C1}/create-endpoint`]: 'done',
      [`pilot/${C1}/connect`]: 'done',
      [pilotService]: 'done',
      orphan: 'blocked',
    });
    expect(report.outcomes.find((outcome) => outcome.action.id === 'orphan')?.detail).toBe(
      'waits for a step that is not in the plan',
    );
    // The Pilot endpoint was created only after its service.
    expect(fake.calls.lastIndexOf('CreateVpcEndpointService')).toBeLessThan(
      fake.calls.lastIndexOf('CreateVpcEndpoint'),
    );
  });

  test('a cluster is settled only once the run is closed: a later plan may still add steps for it', async () => {
    const fake = new FakePrivateLink();
    const done = doneCounter();
    const settled: string[] = [];
    const run = stepRun(fake, { onDone: done.onDone, onClusterSettled: (clusterId) => settled.push(clusterId) });
    run.add(planFor(C1));
    await done.after(6);
    expect(settled).toEqual([]);
    const report = await run.close();
    expect(report.failures).toEqual([]);
    expect(settled).toEqual([C1]);
  });

  /**
   * C1's steps run; once one is done the run is interrupted through `by` (its cancel signal, or the
   * controller's release), then C2's steps are added: how those ended and what was called after.
   */
  async function interruptedMidRun(by: 'signal' | 'release') {
    const fake = new FakePrivateLink();
    const interrupt = new AbortController();
    const done = doneCounter();
    const run = stepRun(fake, { [by]: interrupt.signal, onDone: done.onDone });
    run.add(planFor(C1));
    await done.after(1);
    interrupt.abort();
    const callsBefore = fake.calls.length;
    run.add(planFor(C2));
    const report = await run.close();
    return {
      report,
      c2: report.outcomes.filter((outcome) => outcome.action.clusterId === C2),
      callsAfter: fake.calls.slice(callsBefore),
    };
  }

  test('cancelled while it runs: no step starts after, steps added later are cancelled', async () => {
    const { report, c2, callsAfter } = await interruptedMidRun('signal');
    expect(report.cancelled).toBe(true);
    expect(c2.map((outcome) => outcome.state)).toEqual(Array(c2.length).fill('cancelled'));
    expect(callsAfter).toEqual([]);
  });

  test('released while it runs (the object changed): no step starts after, the rest is deferred, not cancelled', async () => {
    const { report, c2, callsAfter } = await interruptedMidRun('release');
    expect(report.cancelled).toBe(false);
    expect(c2.length).toBeGreaterThan(0);
    expect(c2.map((outcome) => outcome.state)).toEqual(Array(c2.length).fill('deferred'));
    // Only what was under way at the release sent anything after it: no create of C2's.
    expect(callsAfter.filter((call) => call.startsWith('Create'))).toEqual([]);
    expect(report.outcomes.filter((outcome) => outcome.state === 'failed')).toEqual([]);
  });

  test('a gate that refuses (a failed check before the first change) starts no step', async () => {
    const fake = new FakePrivateLink();
    const told: string[] = [];
    const run = stepRun(fake, {
      gate: () => Promise.reject(new Error('denied: vpc:CreateVpcEndpoint')),
      reporter: { started: (action) => told.push(action.id), finished: (outcome) => told.push(outcome.action.id) },
    });
    run.add(planFor(C1));
    const report = await run.close();
    expect(report.outcomes.map((outcome) => outcome.state)).toEqual(Array(6).fill('cancelled'));
    expect(fake.calls).toEqual([]);
    // The refusal is the run's to tell: no step line for steps that never could start.
    expect(told).toEqual([]);
  });

  test('no step is added once the run is closed', async () => {
    const run = stepRun(new FakePrivateLink());
    await run.close();
    expect(() => run.add(planFor(C1))).toThrow('steps added to a run of steps after it was closed');
  });
});
