import fc from 'fast-check';
import type { ClusterDetail, ClusterTask } from '../cloud/ack';
import type { ProvisioningCloud } from './cloud-port';
import { decideSanAppend, SanSyncError, syncClusterSans, verifySans } from './san-sync';
import type { Clock } from '../clock';
import type { WaitPolicy } from './waits';
import { fakeClock } from '../testing/fake-clock';

const lower = (items: readonly string[]) => items.map((item) => item.toLowerCase());

// SANs as clusters have them: DNS names (any case), wildcard names, IPv4 addresses.
const sanArbitrary = fc.oneof(
  fc.domain(),
  fc.domain().map((name) => name.toUpperCase()),
  fc.domain().map((name) => `*.${name}`),
  fc.ipV4(),
);
const domainArbitrary = fc.oneof(
  fc.domain(),
  fc.constant('ep-bp1i06bad79eb60c60cc.epsrv-bp1gqb8g1b8d7uactd.cn-hangzhou.privatelink.aliyuncs.com'),
);

describe('decideSanAppend (property)', () => {
  test('for any existing SAN list the result keeps every SAN, in order, and adds each domain once', () => {
    fc.assert(
      fc.property(
        fc.array(sanArbitrary, { maxLength: 20 }),
        fc.array(domainArbitrary, { minLength: 1, maxLength: 3 }),
        (existing, domains) => {
          const decision = decideSanAppend(existing, domains);
          // A superset, with the earlier SANs untouched and first.
          expect(decision.expected.slice(0, existing.length)).toEqual(existing);
          expect(decision.expected).toEqual([...existing, ...decision.append]);
          // Every domain listed afterwards, none appended twice or when already there.
          for (const domain of domains) expect(lower(decision.expected)).toContain(domain.toLowerCase());
          expect(new Set(lower(decision.append)).size).toBe(decision.append.length);
          for (const name of decision.append) expect(lower(existing)).not.toContain(name.toLowerCase());
          expect(verifySans(existing, decision.expected, domains)).toEqual({ ok: true, dropped: [], missing: [] });
          // Deciding again on the result appends nothing.
          expect(decideSanAppend(decision.expected, domains).append).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('an overwrite that loses any earlier SAN is caught by the read-back check', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.domain(), {
          minLength: 1,
          maxLength: 10,
          comparator: (a, b) => a.toLowerCase() === b.toLowerCase(),
        }),
        domainArbitrary,
        fc.nat(),
        (existing, domain, pick) => {
          fc.pre(!lower(existing).includes(domain.toLowerCase()));
          const lost = existing[pick % existing.length]!;
          const overwritten = [...existing.filter((san) => san !== lost), domain];
          expect(verifySans(existing, overwritten, [domain])).toEqual({ ok: false, dropped: [lost], missing: [] });
        },
      ),
    );
  });
});

describe('decideSanAppend', () => {
  test('nothing to append when the domain is there in another case', () => {
    expect(
      decideSanAppend(
        ['API.example.com', 'EP-1.EPSRV-1.cn-hangzhou.privatelink.aliyuncs.com'],
        ['ep-1.epsrv-1.cn-hangzhou.privatelink.aliyuncs.com'],
      ).append,
    ).toEqual([]);
  });

  test('blank domains are ignored', () => {
    expect(decideSanAppend(['a.example.com'], ['  ', ''])).toEqual({ append: [], expected: ['a.example.com'] });
  });
});

// ---- syncClusterSans against a cloud that behaves like ACK ----

const DOMAIN = 'ep-bp1nl7qs0ii76c2f2n.epsrv-bp1pmy8zjleofwu3uo.cn-hangzhou.privatelink.aliyuncs.com';
const CLUSTER = 'c84974f524e2045c87dccadff91a71708';

interface FakeAck {
  cloud: ProvisioningCloud;
  appended: string[][];
}

/** ACK as far as SANs go: a task that stays running for `taskPolls` reads, then applies `apply`. */
function fakeAck(options: {
  sans: string[];
  state?: string[];
  taskPolls?: number;
  taskState?: ClusterTask['state'];
  apply?: (current: string[], added: string[]) => string[];
}): FakeAck {
  let sans = [...options.sans];
  const states = [...(options.state ?? [])];
  const appended: string[][] = [];
  let polls = 0;
  let pending: string[] | undefined;
  const detail = (): ClusterDetail => ({
    clusterId: CLUSTER,
    vSwitchIds: [],
    apiServerCertSans: [...sans],
    controlPlaneLoadBalancers: [],
    state: states.shift() ?? 'running',
  });
  const cloud = {
    describeCluster: async () => detail(),
    appendCertSans: async (_: string, added: string[]) => {
      appended.push(added);
      pending = added;
      return { clusterId: CLUSTER, taskId: 'T-1', requestId: 'REQ-1' };
    },
    describeTask: async (): Promise<ClusterTask> => {
      polls += 1;
      if (polls <= (options.taskPolls ?? 1)) return { taskId: 'T-1', state: 'running' };
      if (pending) sans = (options.apply ?? ((current, added) => [...current, ...added]))(sans, pending);
      pending = undefined;
      return {
        taskId: 'T-1',
        state: options.taskState ?? 'success',
        error:
          options.taskState === 'fail'
            ? { code: 'CertUpdateFailed', message: 'the API server did not come back' }
            : undefined,
      };
    },
  } as unknown as ProvisioningCloud;
  return { cloud, appended };
}

function options(clock: Clock) {
  const waits: WaitPolicy = { clock, initialMs: 100, lateFraction: 1, maxIntervalMs: 1_000, perWaitMs: 60_000 };
  return { deadline: { at: 600_000, label: '--timeout 10m' }, waits, clientToken: 'asmpvl-token' };
}

describe('syncClusterSans', () => {
  test('appends the domain, waits for the task, and verifies the earlier SANs are kept', async () => {
    const ack = fakeAck({ sans: ['api.ack-hz-1.example.com'], taskPolls: 2 });
    const result = await syncClusterSans(ack.cloud, CLUSTER, DOMAIN, options(fakeClock()));
    expect(ack.appended).toEqual([[DOMAIN]]);
    expect(result).toEqual({
      clusterId: CLUSTER,
      domain: DOMAIN,
      alreadyPresent: false,
      before: ['api.ack-hz-1.example.com'],
      after: ['api.ack-hz-1.example.com', DOMAIN],
      taskId: 'T-1',
      requestId: 'REQ-1',
    });
  });

  test('changes nothing when the domain is listed already', async () => {
    const ack = fakeAck({ sans: [DOMAIN] });
    const result = await syncClusterSans(ack.cloud, CLUSTER, DOMAIN, options(fakeClock()));
    expect(ack.appended).toEqual([]);
    expect(result.alreadyPresent).toBe(true);
  });

  test('waits while the cluster is updating (an earlier task) before appending', async () => {
    const clock = fakeClock();
    const ack = fakeAck({ sans: [], state: ['updating', 'updating', 'running'] });
    await syncClusterSans(ack.cloud, CLUSTER, DOMAIN, options(clock));
    expect(clock.sleeps.slice(0, 2)).toEqual([100, 100]);
    expect(ack.appended).toEqual([[DOMAIN]]);
  });

  test('a failed task is an error naming the task, its cause and the request id', async () => {
    const ack = fakeAck({ sans: [], taskState: 'fail' });
    await expect(syncClusterSans(ack.cloud, CLUSTER, DOMAIN, options(fakeClock()))).rejects.toThrow(
      new SanSyncError(
        CLUSTER,
        'update the API server certificate SANs',
        `ACK task T-1 for cluster ${CLUSTER} failed: CertUpdateFailed the API server did not come back (request id REQ-1). Check the cluster's events in the ACK console, then run sync-san again.`,
      ),
    );
  });

  test('a cloud that drops an earlier SAN fails the read-back check, naming it', async () => {
    const ack = fakeAck({ sans: ['api.ack-hz-1.example.com'], apply: (_, added) => added });
    await expect(syncClusterSans(ack.cloud, CLUSTER, DOMAIN, options(fakeClock()))).rejects.toThrow(
      /api\.ack-hz-1\.example\.com disappeared \(was there before\)/,
    );
  });
});
