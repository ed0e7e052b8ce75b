import { CloudError } from '../../cloud/errors';
import { syncClusterSans } from '../san-sync';
import { SanSyncError, SanTaskManager } from './san-tasks';
import { type EmulatedRun, startEmulatedRun, WORLD } from './testkit';

let run: EmulatedRun;

beforeAll(async () => {
  run = await startEmulatedRun();
});
afterAll(() => run.emulator.stop());
beforeEach(() => run.reset());

const CLUSTER = WORLD.ack1.clusterId;
const DOMAIN = 'ep-bp1i06bad79eb60c60cc.epsrv-bp1gqb8g1b8d7uactd.cn-hangzhou.privatelink.aliyuncs.com';

const manager = (cloud = run.cloud) => new SanTaskManager(run.context({ cloud }));
const calls = (action: string) => run.emulator.requests().filter((entry) => entry.action === action);
const sansInEmulator = () =>
  run.emulator.state().clusters.find((cluster) => cluster.clusterId === CLUSTER)?.extraSans ?? [];

describe('observe', () => {
  it('reads the SANs of a running cluster', async () => {
    expect(await manager().observe(CLUSTER, { settled: true })).toEqual(['api.ack-hz-1.example.com']);
  });

  it('waits for a task under way to end (cluster updating) and then reads the SANs it left', async () => {
    await run.cloud.appendCertSans(CLUSTER, [DOMAIN], 'token-1');
    expect(await manager().observe(CLUSTER, { settled: false })).toEqual(['api.ack-hz-1.example.com', DOMAIN]);
  });

  it('refuses a cluster that is neither running nor updating, saying what to do', async () => {
    const broken = {
      ...run.cloud,
      describeCluster: async (clusterId: string) => ({
        ...(await run.cloud.describeCluster(clusterId)),
        state: 'failed',
      }),
    };
    const attempt = manager(broken).observe(CLUSTER, { settled: true });
    await expect(attempt).rejects.toBeInstanceOf(SanSyncError);
    await expect(attempt).rejects.toThrow(
      `cluster ${CLUSTER} is failed; SANs can be changed only on a running cluster. Fix the cluster in the ACK console, then run sync-san again.`,
    );
  });
});

describe('create', () => {
  it('appends, waits for the cluster task, and leaves every SAN that was there', async () => {
    const appended = await manager().create(CLUSTER, [DOMAIN], 'token-1');
    expect(appended.taskId).toBeDefined();
    expect(sansInEmulator()).toEqual(['api.ack-hz-1.example.com', DOMAIN]);
    expect(run.emulator.state().clusterTasks.map((task) => task.state)).toEqual(['success']);
    expect(calls('ModifyCluster').map((entry) => entry.clientToken ?? 'none')).toHaveLength(1);
  });

  it('fails with the request id when the cluster task fails, and the SANs stay as they were', async () => {
    run.emulator.setFaults({ failClusterTasks: 1 });
    const attempt = manager().create(CLUSTER, [DOMAIN], 'token-1');
    await expect(attempt).rejects.toBeInstanceOf(SanSyncError);
    await expect(attempt).rejects.toThrow(
      /^ACK task \S+ for cluster c84974f524e2045c87dccadff91a71708 failed: UpdateApiServerCertSANsFailed .*\(request id \S+\)\. Check the cluster's events/,
    );
    expect(sansInEmulator()).toEqual(['api.ack-hz-1.example.com']);
  });

  it('surfaces a refusal it does not know: a cluster that does not exist', async () => {
    const attempt = manager().create('c00000000000000000000000000000000', [DOMAIN], 'token-1');
    await expect(attempt).rejects.toBeInstanceOf(CloudError);
    expect(run.emulator.state().clusterTasks).toEqual([]);
  });
});

describe('syncClusterSans over the manager', () => {
  const options = () => ({ ...run.context(), clientToken: 'token-1' });

  it('appends a missing domain once; a second sync finds it there and sends nothing', async () => {
    const first = await syncClusterSans(run.cloud, CLUSTER, DOMAIN, options());
    expect(first).toMatchObject({ alreadyPresent: false, after: ['api.ack-hz-1.example.com', DOMAIN] });
    const second = await syncClusterSans(run.cloud, CLUSTER, DOMAIN.toUpperCase(), options());
    expect(second.alreadyPresent).toBe(true);
    expect(calls('ModifyCluster')).toHaveLength(1);
  });

  it('fails the read-back when the SANs lost one that was there (an overwrite behind our back)', async () => {
    const overwriting = {
      ...run.cloud,
      appendCertSans: async (clusterId: string, sans: string[], clientToken: string) => {
        const appended = await run.cloud.appendCertSans(clusterId, sans, clientToken);
        run.emulator.setClusterSans(clusterId, sans);
        return appended;
      },
    };
    const attempt = syncClusterSans(overwriting, CLUSTER, DOMAIN, options());
    await expect(attempt).rejects.toThrow(
      `after the update, cluster ${CLUSTER}'s SANs do not hold up: api.ack-hz-1.example.com disappeared (was there before). Nothing more was changed; check the SANs in the ACK console.`,
    );
  });
});
