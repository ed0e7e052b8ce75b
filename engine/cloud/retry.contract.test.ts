// Retries against the emulator's injected faults: throttling and 5xx are retried and succeed, a
// 4xx is not retried, and a create whose answer was lost is retried without creating twice.
import type { EmulatorFaults, RunningEmulator } from '../../test/emulator';
import type { CloudCallEvent } from './index';
import { fakeClock } from '../testing/fake-clock';
import { cloudFor, startTwoClusterEmulator } from './testkit/emulated-cloud';

const ACK1_LB = 'lb-bp1lr2uy9cv2vqpy7jr0a';
const ASM = {
  vpcId: 'vpc-bp1o3jbu5rggg994o5vm9',
  vSwitchJ: 'vsw-bp10w1gdt1pw6srb8dy0i',
  securityGroupId: 'sg-bp169pz86m0p2ennfddz',
};

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startTwoClusterEmulator();
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

/** Faults for the first attempts, one set per failed attempt; the call after the last runs clean. */
function faultsPerAttempt(sequence: EmulatorFaults[]) {
  const events: CloudCallEvent[] = [];
  const remaining = [...sequence];
  emulator.setFaults(remaining.shift() ?? {});
  const onCall = (event: CloudCallEvent) => {
    events.push(event);
    if (event.error) emulator.setFaults(remaining.shift() ?? {});
  };
  return { events, onCall };
}

const createService = {
  resources: [{ resourceType: 'slb' as const, resourceId: ACK1_LB, zoneId: 'cn-hangzhou-j' }],
  serviceResourceType: 'slb' as const,
};

it('retries throttling, then a 503, then a 500, and succeeds; one service exists', async () => {
  const { events, onCall } = faultsPerAttempt([
    { throttleRate: 1 },
    { serverErrorRate: 1, serverErrorCode: 'ServiceUnavailable' },
    { serverErrorRate: 1, serverErrorCode: 'InternalError' },
  ]);
  const clock = fakeClock(0.5);
  const cloud = cloudFor(emulator, { onCall, clock });
  const created = await cloud.privateLink.services.createVpcEndpointService(createService);

  expect(events.map((event) => [event.attempt, event.error?.code, event.error?.httpStatus])).toEqual([
    [1, 'Throttling.User', 400],
    [2, 'ServiceUnavailable', 503],
    [3, 'InternalError', 500],
    [4, undefined, undefined],
  ]);
  expect(clock.sleeps).toEqual([500, 1000, 2000]);
  const log = emulator.requests().filter((request) => request.action === 'CreateVpcEndpointService');
  expect(log.map((request) => [request.status, request.faults ?? []])).toEqual([
    [400, ['throttle']],
    [503, ['server-error']],
    [500, ['server-error']],
    [200, []],
  ]);
  expect(new Set(log.map((request) => request.clientToken)).size).toBe(1);
  expect(emulator.state().endpointServices.map((service) => service.serviceId)).toEqual([created.serviceId]);
});

it('does not retry another 4xx', async () => {
  const cloud = cloudFor(emulator);
  await expect(
    cloud.privateLink.services.getVpcEndpointServiceAttribute('epsrv-doesnotexist00000'),
  ).rejects.toMatchObject({
    code: 'EndpointServiceNotFound',
    httpStatus: 400,
    retryable: false,
    attempts: 1,
    notFound: true,
  });
  expect(emulator.requests().map((request) => request.action)).toEqual(['GetVpcEndpointServiceAttribute']);
});

it('gives up on endless throttling after maxAttempts', async () => {
  emulator.setFaults({ throttleRate: 1, actions: ['DescribeZones'] });
  const cloud = cloudFor(emulator, { retry: { maxAttempts: 3 } });
  await expect(cloud.privateLink.account.describeZones()).rejects.toMatchObject({
    code: 'Throttling.User',
    attempts: 3,
  });
  expect(emulator.requests()).toHaveLength(3);
});

it('retries a CreateVpcEndpointService whose answer was lost, and the cloud holds one service', async () => {
  emulator.setFaults({ dropResponseOnce: ['CreateVpcEndpointService'] });
  const events: CloudCallEvent[] = [];
  const cloud = cloudFor(emulator, { onCall: (event) => events.push(event) });
  const created = await cloud.privateLink.services.createVpcEndpointService(createService);

  expect(events.map((event) => event.error?.code)).toEqual(['NetworkError', undefined]);
  const log = emulator.requests().filter((request) => request.action === 'CreateVpcEndpointService');
  expect(log.map((request) => [request.status, request.replayed ?? false])).toEqual([
    [0, false],
    [200, true],
  ]);
  expect(log[0]!.clientToken).toBe(log[1]!.clientToken);
  expect(emulator.state().endpointServices.map((service) => service.serviceId)).toEqual([created.serviceId]);
});

it('retries a CreateVpcEndpoint whose answer was lost, and the cloud holds one endpoint', async () => {
  const cloud = cloudFor(emulator);
  const service = await cloud.privateLink.services.createVpcEndpointService(createService);
  await new Promise((resolve) => setTimeout(resolve, 60));
  emulator.setFaults({ dropResponseOnce: ['CreateVpcEndpoint'] });
  const endpoint = await cloud.privateLink.endpoints.createVpcEndpoint({
    vpcId: ASM.vpcId,
    serviceId: service.serviceId,
    securityGroupIds: [ASM.securityGroupId],
    zones: [{ zoneId: 'cn-hangzhou-j', vSwitchId: ASM.vSwitchJ }],
    clientToken: 'asmpvl-c84974f524e2045c87dccadff91a71708-apiserver-endpoint',
  });
  expect(
    emulator
      .requests()
      .filter((request) => request.action === 'CreateVpcEndpoint')
      .map((request) => request.clientToken),
  ).toEqual([
    'asmpvl-c84974f524e2045c87dccadff91a71708-apiserver-endpoint',
    'asmpvl-c84974f524e2045c87dccadff91a71708-apiserver-endpoint',
  ]);
  expect(emulator.state().endpoints.map((item) => item.endpointId)).toEqual([endpoint.endpointId]);
});

it('times out a hung request and succeeds on the retry', async () => {
  const { events, onCall } = faultsPerAttempt([{ hangRate: 1, actions: ['ListVpcEndpoints'] }]);
  const cloud = cloudFor(emulator, { onCall, timeouts: { connectMs: 1_000, readMs: 200 } });
  expect(await cloud.privateLink.endpoints.listAllVpcEndpoints()).toEqual([]);
  expect(events.map((event) => event.error?.code)).toEqual(['ReadTimeout', undefined]);
});
