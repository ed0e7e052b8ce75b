import { CloudError } from '../../cloud/errors';
import { ProvisioningInputError } from '../errors';
import type { LoadBalancerRef } from '../model';
import { tagsFor } from '../tags';
import { EndpointServiceManager, type ServiceToCreate } from './endpoint-services';
import { MAX_REPLAYED_CREATES } from './manager';
import { type EmulatedRun, startEmulatedRun, tokensOf, WORLD } from './testkit';

let run: EmulatedRun;

beforeAll(async () => {
  run = await startEmulatedRun();
});
afterAll(() => run.emulator.stop());
beforeEach(() => run.reset());

const LOAD_BALANCER: LoadBalancerRef = { loadBalancerId: WORLD.ack1.loadBalancerId, kind: 'slb' };
const WANTED: ServiceToCreate = {
  loadBalancer: LOAD_BALANCER,
  zones: ['cn-hangzhou-j'],
  description: 'asmpvl: API-server link of ack-hz-1',
  tags: tagsFor(WORLD.meshId, 'apiserver', WORLD.ack1.clusterId),
};

function manager(options: Parameters<EmulatedRun['context']>[0] = {}): EndpointServiceManager {
  return new EndpointServiceManager(run.context(options), run.polls.services);
}

const zonesOf = async (serviceId: string) =>
  (await run.cloud.listServiceResources(serviceId)).map((resource) => resource.zoneId).sort();

const writes = (action: string) => run.emulator.requests().filter((entry) => entry.action === action);

describe('create', () => {
  it('makes a tagged service that takes no connection by itself, and returns once it is Active', async () => {
    const serviceId = await manager().create(WANTED, tokensOf('create-service'));
    const service = await run.cloud.getService(serviceId);
    expect(service?.serviceStatus).toBe('Active');
    expect(service?.autoAcceptEnabled).toBe(false);
    expect(await zonesOf(serviceId)).toEqual(['cn-hangzhou-j']);
    const [listed] = await run.cloud.listServices(tagsFor(WORLD.meshId, 'apiserver', WORLD.ack1.clusterId));
    expect(listed?.serviceId).toBe(serviceId);
  });

  it('without waiting, looks once that the new service is there and returns its id', async () => {
    const serviceId = await manager({ wait: false }).create(WANTED, tokensOf('create-service'));
    expect(serviceId).toMatch(/^epsrv-/);
    expect(writes('GetVpcEndpointServiceAttribute')).toHaveLength(1);
  });

  it('sent again with the same tokens (a resumed run), gets the same service back and makes no second one', async () => {
    const first = await manager().create(WANTED, tokensOf('create-service'));
    const again = await manager().create(WANTED, tokensOf('create-service'));
    expect(again).toBe(first);
    expect(run.emulator.state().endpointServices.map((service) => service.serviceId)).toEqual([first]);
  });

  it('answered with a service deleted since (a replayed token), chains the gone id into a new token and makes a new one', async () => {
    const services = manager();
    const gone = await services.create(WANTED, tokensOf('create-service'));
    await services.delete(gone);
    await services.gone(gone);
    const made = await services.create(WANTED, tokensOf('create-service'));
    expect(made).not.toBe(gone);
    const tokens = writes('CreateVpcEndpointService').map((entry) => entry.clientToken);
    expect(tokens).toHaveLength(3);
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).not.toBe(tokens[0]);
    expect((await run.cloud.getService(made))?.serviceStatus).toBe('Active');
  });

  it(`gives up after ${MAX_REPLAYED_CREATES} creates whose services are gone at once, naming them`, async () => {
    // Something deletes every new service before the run can look at it.
    const vanishing = { ...run.cloud, getService: async () => undefined };
    const services = manager({ wait: false, cloud: vanishing });
    const attempt = services.create(WANTED, tokensOf('create-service'));
    await expect(attempt).rejects.toThrow(ProvisioningInputError);
    await expect(attempt).rejects.toThrow(/each was gone as soon as it was made/);
    const tokens = writes('CreateVpcEndpointService').map((entry) => entry.clientToken);
    expect(new Set(tokens).size).toBe(MAX_REPLAYED_CREATES);
  });

  it('surfaces a refusal it does not know: a load balancer that does not exist', async () => {
    const missing = { ...WANTED, loadBalancer: { loadBalancerId: 'lb-bp1nothere00000000000', kind: 'slb' as const } };
    const attempt = manager().create(missing, tokensOf('create-service'));
    await expect(attempt).rejects.toBeInstanceOf(CloudError);
    await expect(attempt).rejects.toMatchObject({ code: 'LoadBalancerNotFound' });
  });
});

describe('zones', () => {
  it('attaches a zone, and takes "already attached" as done', async () => {
    const services = manager();
    const serviceId = await services.create(WANTED, tokensOf('create-service'));
    await services.attachZone(serviceId, LOAD_BALANCER, 'cn-hangzhou-i');
    await services.active(serviceId);
    await services.attachZone(serviceId, LOAD_BALANCER, 'cn-hangzhou-i');
    expect(await zonesOf(serviceId)).toEqual(['cn-hangzhou-i', 'cn-hangzhou-j']);
    expect(writes('AttachResourceToVpcEndpointService').map((entry) => entry.code ?? 'ok')).toEqual([
      'ok',
      'EndpointServiceResourceExist',
    ]);
  });

  it('detaches a zone, and takes "already detached" as done', async () => {
    const services = manager();
    const serviceId = await services.create({ ...WANTED, zones: WORLD.ack1.zones.slice() }, tokensOf('create-service'));
    const resource = { resourceId: LOAD_BALANCER.loadBalancerId, resourceType: 'slb', zoneId: 'cn-hangzhou-i' };
    await services.detachZone(serviceId, resource);
    await services.active(serviceId);
    await services.detachZone(serviceId, resource);
    expect(await zonesOf(serviceId)).toEqual(['cn-hangzhou-j']);
    expect(writes('DetachResourceFromVpcEndpointService').map((entry) => entry.code ?? 'ok')).toEqual([
      'ok',
      'EndpointServiceResourceNotFound',
    ]);
  });

  it('fails a change to a service that disappears while it waits for it, saying the next run recreates it', async () => {
    const attempt = new EndpointServiceManager(
      run.context(),
      // A poll that never finds the service: it is gone.
      {
        watch: (wait: () => Promise<unknown>) => wait(),
        read: async () => undefined,
      } as unknown as typeof run.polls.services,
    ).attachZone('epsrv-bp1gone0000000000', LOAD_BALANCER, 'cn-hangzhou-i');
    await expect(attempt).rejects.toThrow(
      'endpoint service epsrv-bp1gone0000000000 disappeared while we waited for it; the next run recreates it',
    );
    expect(writes('AttachResourceToVpcEndpointService')).toEqual([]);
  });
});

describe('allowlist', () => {
  it("lists another account on the service's allowlist", async () => {
    const services = manager();
    const serviceId = await services.create(WANTED, tokensOf('create-service'));
    expect(await run.cloud.listServiceUserIds(serviceId)).toEqual([]);
    await services.allowAccount(serviceId, '1234567890123456');
    expect(await run.cloud.listServiceUserIds(serviceId)).toEqual(['1234567890123456']);
  });
});

describe('delete', () => {
  it('detaches every resource first, deletes, and is gone; a second delete finds it gone', async () => {
    const services = manager();
    const serviceId = await services.create({ ...WANTED, zones: WORLD.ack1.zones.slice() }, tokensOf('create-service'));
    expect(await services.delete(serviceId)).toBe('deleting');
    await services.gone(serviceId);
    expect(await services.observe(serviceId)).toBeUndefined();
    expect(writes('DetachResourceFromVpcEndpointService')).toHaveLength(2);
    expect(await services.delete(serviceId)).toBe('gone');
    expect(writes('DeleteVpcEndpointService')).toHaveLength(1);
  });

  it('does not ask again to delete a service already Deleting or gone', async () => {
    const services = manager();
    const serviceId = await services.create(WANTED, tokensOf('create-service'));
    await services.delete(serviceId);
    // Deleting, or already gone: either way not asked again.
    expect(['deleting', 'gone']).toContain(await services.delete(serviceId));
    expect(writes('DeleteVpcEndpointService')).toHaveLength(1);
    await services.gone(serviceId);
  });
});
