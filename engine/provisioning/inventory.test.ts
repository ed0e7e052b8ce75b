import type { ProvisioningCloud } from './cloud-port';
import { DetailReads } from './inventory';

/** A port that answers zone reads from a script and records them. */
function zonesPort(answers: Array<'ok' | 'fail'>) {
  const calls: string[] = [];
  const port = {
    listEndpointZones: async (endpointId: string) => {
      calls.push(`zones ${endpointId}`);
      if (answers.shift() === 'fail') throw new Error('Throttling.User');
      return [{ zoneId: 'cn-hangzhou-j', vSwitchId: 'vsw-1', zoneStatus: 'Connected' }];
    },
    listServiceResources: async (serviceId: string) => {
      calls.push(`resources ${serviceId}`);
      return [{ resourceId: 'lb-1', resourceType: 'slb', zoneId: 'cn-hangzhou-j' }];
    },
  } as unknown as ProvisioningCloud;
  return { port, calls };
}

describe('DetailReads', () => {
  test('a resource read once its steps ended is not read again; one never prefetched is read when asked', async () => {
    const { port, calls } = zonesPort(['ok', 'ok']);
    const details = new DetailReads(port);
    details.prefetchEndpoint('ep-1');
    details.prefetchService('epsrv-1');
    await expect(details.endpointZones('ep-1')).resolves.toEqual([
      { zoneId: 'cn-hangzhou-j', vSwitchId: 'vsw-1', zoneStatus: 'Connected' },
    ]);
    await details.serviceResources('epsrv-1');
    await details.endpointZones('ep-2');
    expect(calls).toEqual(['zones ep-1', 'resources epsrv-1', 'zones ep-2']);
  });

  test('a prefetch that failed is read again when asked, and its failure is never unhandled', async () => {
    const { port, calls } = zonesPort(['fail', 'ok']);
    const details = new DetailReads(port);
    details.prefetchEndpoint('ep-1');
    await new Promise((resolve) => setImmediate(resolve));
    await expect(details.endpointZones('ep-1')).resolves.toHaveLength(1);
    expect(calls).toEqual(['zones ep-1', 'zones ep-1']);
  });
});
