// Account-wide PrivateLink facts: whether it is activated, and where it works.
import { flag, text, wire, wrappedRecords } from '../rpc';
import type { PrivateLinkCaller } from './caller';
import type { PrivateLinkZone, ServiceResourceType } from './models';

/** What PrivateLink offers an account in a region: activation and zones. */
export class AccountClient {
  constructor(private readonly caller: PrivateLinkCaller) {}

  /** DescribeZones: the zones of this region where PrivateLink works for a resource type. */
  async describeZones(request: { serviceResourceType?: ServiceResourceType } = {}): Promise<PrivateLinkZone[]> {
    const answer = await this.caller.read('DescribeZones', wire({ ServiceResourceType: request.serviceResourceType }));
    return wrappedRecords(answer, 'Zones', 'Zone').flatMap((zone) => {
      const zoneId = text(zone, 'ZoneId');
      return zoneId ? [{ zoneId, localName: text(zone, 'LocalName') }] : [];
    });
  }

  /** CheckProductOpen: whether PrivateLink is activated for the account. */
  async checkProductOpen(): Promise<boolean> {
    const answer = await this.caller.readWithoutRegion('CheckProductOpen');
    return flag(answer, 'Success') === true;
  }
}
