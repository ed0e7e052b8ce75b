// The PrivateLink state machines. Each function changes a record now and schedules what follows
// on the cloud's timeline:
//   service     Creating → Active;  Active → Pending (update) → Active;  Active → Deleting → gone
//   endpoint    Creating → Active;  Active → Pending (zone change) → Active;  → Deleting → gone
//   connection  Disconnected → (endpoint Active) Pending, or Connecting → Connected when the service
//               auto-accepts;  Pending → Connecting → Connected (Enable);
//               Connected → Disconnecting → Disconnected (Disable)
//   zone        Creating → Wait (connection not accepted) | Connected;  → Deleting → gone
import type { Cloud, Endpoint, EndpointService, EndpointZone } from '../../cloud';

export function scheduleServiceCreated(cloud: Cloud, service: EndpointService): void {
  cloud.after(cloud.delays.serviceCreateMs, `service ${service.serviceId} Creating → Active`, () => {
    service.serviceStatus = 'Active';
  });
}

export function scheduleServiceUpdated(cloud: Cloud, service: EndpointService): void {
  service.serviceStatus = 'Pending';
  cloud.after(cloud.delays.serviceUpdateMs, `service ${service.serviceId} Pending → Active`, () => {
    if (service.serviceStatus === 'Pending') service.serviceStatus = 'Active';
  });
}

export function scheduleServiceDeleted(cloud: Cloud, service: EndpointService): void {
  service.serviceStatus = 'Deleting';
  cloud.after(cloud.delays.serviceDeleteMs, `service ${service.serviceId} Deleting → gone`, () => {
    cloud.services.delete(service.serviceId);
  });
}

/** Zone status once the zone exists, given where the endpoint's connection stands. */
function settledZoneStatus(endpoint: Endpoint): EndpointZone['zoneStatus'] {
  switch (endpoint.connectionStatus) {
    case 'Connected':
      return 'Connected';
    case 'Connecting':
      return 'Connecting';
    case 'Disconnecting':
    case 'Disconnected':
      return endpoint.endpointStatus === 'Creating' ? 'Wait' : 'Disconnected';
    default:
      return 'Wait';
  }
}

function setZones(endpoint: Endpoint, from: Array<EndpointZone['zoneStatus']>, to: EndpointZone['zoneStatus']): void {
  for (const zone of endpoint.zones) if (from.includes(zone.zoneStatus)) zone.zoneStatus = to;
}

export function scheduleEndpointCreated(cloud: Cloud, endpoint: Endpoint): void {
  cloud.after(cloud.delays.endpointCreateMs, `endpoint ${endpoint.endpointId} Creating → Active`, () => {
    endpoint.endpointStatus = 'Active';
    const service = cloud.services.get(endpoint.serviceId);
    if (service?.autoAcceptEnabled) {
      startConnecting(cloud, endpoint);
      return;
    }
    endpoint.connectionStatus = 'Pending';
    setZones(endpoint, ['Creating'], 'Wait');
  });
}

/** Connection Pending/Disconnected → Connecting → Connected, and its zones along with it. */
export function startConnecting(cloud: Cloud, endpoint: Endpoint): void {
  endpoint.connectionStatus = 'Connecting';
  setZones(endpoint, ['Creating', 'Wait', 'Disconnected'], 'Connecting');
  cloud.after(
    cloud.delays.connectMs,
    `connection ${endpoint.serviceId}/${endpoint.endpointId} Connecting → Connected`,
    () => {
      if (endpoint.connectionStatus !== 'Connecting') return;
      endpoint.connectionStatus = 'Connected';
      setZones(endpoint, ['Connecting', 'Wait'], 'Connected');
    },
  );
}

export function startDisconnecting(cloud: Cloud, endpoint: Endpoint): void {
  endpoint.connectionStatus = 'Disconnecting';
  setZones(endpoint, ['Connected', 'Connecting', 'Wait'], 'Disconnecting');
  cloud.after(
    cloud.delays.disconnectMs,
    `connection ${endpoint.serviceId}/${endpoint.endpointId} Disconnecting → Disconnected`,
    () => {
      if (endpoint.connectionStatus !== 'Disconnecting') return;
      endpoint.connectionStatus = 'Disconnected';
      setZones(endpoint, ['Disconnecting'], 'Disconnected');
    },
  );
}

/** The endpoint is Pending while a zone is being added or removed, Active once none is. */
function endZoneChange(endpoint: Endpoint): void {
  const busy = endpoint.zones.some((zone) => zone.zoneStatus === 'Creating' || zone.zoneStatus === 'Deleting');
  if (!busy && endpoint.endpointStatus === 'Pending') endpoint.endpointStatus = 'Active';
}

export function scheduleZoneAdded(cloud: Cloud, endpoint: Endpoint, zone: EndpointZone): void {
  endpoint.endpointStatus = 'Pending';
  cloud.after(cloud.delays.zoneCreateMs, `zone ${endpoint.endpointId}/${zone.zoneId} Creating → settled`, () => {
    if (zone.zoneStatus === 'Creating') zone.zoneStatus = settledZoneStatus(endpoint);
    endZoneChange(endpoint);
  });
}

export function scheduleZoneRemoved(cloud: Cloud, endpoint: Endpoint, zone: EndpointZone): void {
  endpoint.endpointStatus = 'Pending';
  zone.zoneStatus = 'Deleting';
  cloud.after(cloud.delays.zoneDeleteMs, `zone ${endpoint.endpointId}/${zone.zoneId} Deleting → gone`, () => {
    endpoint.zones = endpoint.zones.filter((candidate) => candidate !== zone);
    endZoneChange(endpoint);
  });
}

export function scheduleEndpointDeleted(cloud: Cloud, endpoint: Endpoint): void {
  endpoint.endpointStatus = 'Deleting';
  endpoint.connectionStatus = 'Deleting';
  setZones(endpoint, ['Creating', 'Wait', 'Connecting', 'Connected', 'Disconnecting', 'Disconnected'], 'Deleting');
  cloud.after(cloud.delays.endpointDeleteMs, `endpoint ${endpoint.endpointId} Deleting → gone`, () => {
    cloud.endpoints.delete(endpoint.endpointId);
  });
}
