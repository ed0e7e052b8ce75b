import { CloudError } from '../../cloud/errors';
import type { Endpoint } from '../../cloud/privatelink';
import { ProvisioningInputError, ResourceGoneError } from '../errors';
import type { VSwitchPlacement } from '../model';
import type { BatchedPoll } from '../polls';
import { tagsFor } from '../tags';
import { EndpointServiceManager } from './endpoint-services';
import { type EndpointToCreate, EndpointManager } from './endpoints';
import { type EmulatedRun, startEmulatedRun, tokensOf, WORLD } from './testkit';

let run: EmulatedRun;

beforeAll(async () => {
  run = await startEmulatedRun();
});
afterAll(() => run.emulator.stop());
beforeEach(() => run.reset());

const ZONE_J = { zoneId: 'cn-hangzhou-j', vSwitchId: WORLD.asm.vSwitchJ };
const ZONE_K = { zoneId: 'cn-hangzhou-k', vSwitchId: WORLD.asm.vSwitchK };

/** ack-hz-2's API-server service, in both zones of the ASM VPC. */
async function service(options: { wait?: boolean } = {}): Promise<string> {
  return new EndpointServiceManager(run.context(options), run.polls.services).create(
    {
      loadBalancer: { loadBalancerId: WORLD.ack2.loadBalancerId, kind: 'slb' },
      zones: WORLD.ack2.zones.slice(),
      description: 'asmpvl: API-server link of ack-hz-2',
      tags: tagsFor(WORLD.meshId, 'apiserver', WORLD.ack2.clusterId),
    },
    tokensOf('create-service'),
  );
}

function wanted(serviceId: string, zones: VSwitchPlacement[] = [ZONE_J]): EndpointToCreate {
  return {
    serviceId,
    vpcId: WORLD.asm.vpcId,
    securityGroupIds: [WORLD.asm.securityGroupId],
    zones,
    name: `asmpvl-apiserver-${WORLD.ack2.clusterId}`,
    description: 'asmpvl: API-server link of ack-hz-2',
    tags: tagsFor(WORLD.meshId, 'apiserver', WORLD.ack2.clusterId),
  };
}

function manager(options: Parameters<EmulatedRun['context']>[0] = {}): EndpointManager {
  return new EndpointManager(run.context(options), run.polls.endpoints);
}

/** A poll that always reads `endpoint` (undefined: gone). */
function pollReading(endpoint: Endpoint | undefined): BatchedPoll<Endpoint> {
  return {
    watch: (wait: () => Promise<unknown>) => wait(),
    read: async () => endpoint,
  } as unknown as BatchedPoll<Endpoint>;
}

const writes = (action: string) => run.emulator.requests().filter((entry) => entry.action === action);
const outcomes = (action: string) => writes(action).map((entry) => entry.code ?? 'ok');
const zonesOf = async (endpointId: string) =>
  (await run.cloud.listEndpointZones(endpointId)).map((zone) => zone.zoneId).sort();

describe('create and connect', () => {
  it('makes an Active endpoint whose connection the provider then accepts, ending Connected with its domain', async () => {
    const endpoints = manager();
    const endpointId = await endpoints.create(wanted(await service()), tokensOf('create-endpoint'));
    const made = await run.cloud.getEndpoint(endpointId);
    expect(made?.endpointStatus).toBe('Active');
    expect(made?.connectionStatus).not.toBe('Connected');
    const start = await endpoints.accept(endpointId, made!.serviceId!);
    expect(start.state).toBe('moving');
    const connected = await endpoints.connected(endpointId);
    expect(connected.connectionStatus).toBe('Connected');
    expect(connected.endpointDomain).toMatch(new RegExp(`^${endpointId}`));
    expect(writes('EnableVpcEndpointConnection')).toHaveLength(1);
  });

  it('does not accept a connection that is Connected already', async () => {
    const endpoints = manager();
    const serviceId = await service();
    const endpointId = await endpoints.create(wanted(serviceId), tokensOf('create-endpoint'));
    await endpoints.accept(endpointId, serviceId);
    await endpoints.connected(endpointId);
    const again = await endpoints.accept(endpointId, serviceId);
    expect(again.state).toBe('connected');
    expect(again.endpoint.endpointDomain).toBeDefined();
    expect(writes('EnableVpcEndpointConnection')).toHaveLength(1);
  });

  it('refuses a connection it can neither accept nor wait for, saying what to do', async () => {
    const rejected = { endpointId: 'ep-1', endpointStatus: 'Active', connectionStatus: 'Rejected', tags: [] };
    const endpoints = new EndpointManager(run.context(), pollReading(rejected));
    const attempt = endpoints.accept('ep-1', 'epsrv-1');
    await expect(attempt).rejects.toThrow(ProvisioningInputError);
    await expect(attempt).rejects.toThrow(
      'the connection of endpoint ep-1 to epsrv-1 is Rejected; delete the endpoint (disconnect) and connect again',
    );
    expect(writes('EnableVpcEndpointConnection')).toEqual([]);
  });

  it('fails the wait for a connection when the endpoint disappears', async () => {
    const endpoints = new EndpointManager(run.context(), pollReading(undefined));
    const wait = endpoints.connected('ep-1');
    await expect(wait).rejects.toThrow(ResourceGoneError);
    await expect(wait).rejects.toThrow(
      'endpoint ep-1 disappeared while its connection was being accepted; the next run recreates it',
    );
  });

  it('without waiting, looks once that the new endpoint is there and returns its id', async () => {
    const serviceId = await service();
    const endpointId = await manager({ wait: false }).create(wanted(serviceId), tokensOf('create-endpoint'));
    expect(endpointId).toMatch(/^ep-/);
    expect(writes('GetVpcEndpointAttribute')).toHaveLength(1);
  });

  it('sent again with the same tokens (a resumed run), gets the same endpoint back', async () => {
    const serviceId = await service();
    const first = await manager().create(wanted(serviceId), tokensOf('create-endpoint'));
    const again = await manager().create(wanted(serviceId), tokensOf('create-endpoint'));
    expect(again).toBe(first);
    expect(run.emulator.state().endpoints.map((endpoint) => endpoint.endpointId)).toEqual([first]);
  });

  it('answered with an endpoint deleted since (a replayed token), makes a new one under a chained token', async () => {
    const endpoints = manager();
    const serviceId = await service();
    const gone = await endpoints.create(wanted(serviceId), tokensOf('create-endpoint'));
    await endpoints.delete(gone);
    await endpoints.gone(gone);
    const made = await endpoints.create(wanted(serviceId), tokensOf('create-endpoint'));
    expect(made).not.toBe(gone);
    const tokens = writes('CreateVpcEndpoint').map((entry) => entry.clientToken);
    expect(tokens).toEqual([tokens[0], tokens[0], expect.not.stringMatching(tokens[0]!)]);
    expect((await run.cloud.getEndpoint(made))?.endpointStatus).toBe('Active');
  });

  it('surfaces a refusal it does not know: an endpoint to a service that does not exist', async () => {
    const attempt = manager().create(wanted('epsrv-bp1nothere00000000'), tokensOf('create-endpoint'));
    await expect(attempt).rejects.toBeInstanceOf(CloudError);
    await expect(attempt).rejects.toMatchObject({ code: 'EndpointServiceNotFound' });
    expect(run.emulator.state().endpoints).toEqual([]);
  });
});

describe('zones', () => {
  it('adds a zone, and takes "already there" as done', async () => {
    const endpoints = manager();
    const endpointId = await endpoints.create(wanted(await service()), tokensOf('create-endpoint'));
    await endpoints.addZone(endpointId, ZONE_K);
    await endpoints.addZone(endpointId, ZONE_K);
    await endpoints.active(endpointId);
    expect(await zonesOf(endpointId)).toEqual(['cn-hangzhou-j', 'cn-hangzhou-k']);
    expect(outcomes('AddZoneToVpcEndpoint')).toEqual(['ok', 'EndpointZoneDuplicated']);
  });

  it('removes a zone, and takes "not there any more" as done', async () => {
    const endpoints = manager();
    const endpointId = await endpoints.create(wanted(await service(), [ZONE_J, ZONE_K]), tokensOf('create-endpoint'));
    await endpoints.removeZone(endpointId, 'cn-hangzhou-k');
    await endpoints.removeZone(endpointId, 'cn-hangzhou-k');
    await endpoints.active(endpointId);
    expect(await zonesOf(endpointId)).toEqual(['cn-hangzhou-j']);
    expect(outcomes('RemoveZoneFromVpcEndpoint')).toEqual(['ok', 'EndpointZoneNotFound']);
  });
});

describe('delete', () => {
  it('deletes and is gone; a second delete finds it gone and sends nothing', async () => {
    const endpoints = manager();
    const endpointId = await endpoints.create(wanted(await service()), tokensOf('create-endpoint'));
    expect(await endpoints.delete(endpointId)).toBe('deleting');
    // Deleting, or already gone: either way not asked again.
    expect(['deleting', 'gone']).toContain(await endpoints.delete(endpointId));
    await endpoints.gone(endpointId);
    expect(await endpoints.delete(endpointId)).toBe('gone');
    expect(writes('DeleteVpcEndpoint')).toHaveLength(1);
  });

  it('fails a change to an endpoint that disappears while it waits for it, saying the next run recreates it', async () => {
    const endpoints = new EndpointManager(run.context(), pollReading(undefined));
    await expect(endpoints.addZone('ep-1', ZONE_K)).rejects.toThrow(
      'endpoint ep-1 disappeared while we waited for it; the next run recreates it',
    );
    expect(writes('AddZoneToVpcEndpoint')).toEqual([]);
  });
});
