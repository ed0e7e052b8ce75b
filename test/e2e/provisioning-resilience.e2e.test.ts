// A disconnect killed (SIGKILL) while endpoints and services are being deleted, then run again,
// finishes with nothing of the cluster left. The connect kill/resume trials, cloud faults and the
// two-connects Lease test live in test/chaos/provisioning.chaos.test.ts (npm run test:chaos).
import { FAST_DELAYS, inventorySummary, type Sandbox, startSandbox, waitFor } from './provisioning-sandbox';

describe('a disconnect killed with SIGKILL, then run again', () => {
  // Endpoints take long to delete here, so the second run meets them still Deleting.
  let slow: Sandbox;

  beforeAll(async () => {
    slow = await startSandbox({ ...FAST_DELAYS, endpointDeleteMs: 6_000 });
    await slow.deleteObject();
  });

  afterAll(async () => {
    await slow?.deleteObject();
    await slow?.stop();
  });

  test.each([
    ['DeleteVpcEndpoint', 1],
    ['DeleteVpcEndpoint', 2],
    ['DeleteVpcEndpointService', 1],
  ] as const)('killed when %s #%i arrives: finishes, nothing of the cluster left', async (action, count) => {
    await slow.deleteObject();
    slow.emulator.reset();
    const [c1, c2] = slow.clusters;
    expect((await slow.plugin(['connect', c1, c2, '--mesh-id', slow.meshId])).code).toBe(0);
    const { child, done } = slow.start(['disconnect', c2]);
    await waitFor(
      () => slow.emulator.requests().filter((entry) => entry.action === action).length >= count,
      `${action} #${count} to reach the emulator`,
      60_000,
    );
    child.kill('SIGKILL');
    await done;
    const again = await slow.plugin(['disconnect', c2]);
    expect(again.stderr).not.toContain('error:');
    expect(again.code).toBe(0);
    expect(inventorySummary(slow.inventory())).toEqual({
      services: [`apiserver/${c1}`, 'pilot/-'],
      endpoints: [`apiserver/${c1}`, `pilot/${c1}`].sort(),
    });
    expect((await slow.object())!.spec.ackVpcEndpoint?.map((entry) => entry.clusterId)).toEqual([c1]);
  });
});
