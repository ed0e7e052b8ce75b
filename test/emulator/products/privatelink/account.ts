// Region-wide and account-wide PrivateLink actions: zones, regions, product activation.
import { ApiError } from '../../errors';
import type { RpcAction } from '../product';
import { optionalRegion, requireRegion } from '../product';
import { RESOURCE_TYPES } from './common';

const describeZones: RpcAction = {
  mutating: false,
  handle(context) {
    requireRegion(context);
    const resourceType = context.params.optionalEnum('ServiceResourceType', RESOURCE_TYPES) ?? 'slb';
    const zones = context.cloud.world.zones.filter((zone) => zone.privateLinkResourceTypes.includes(resourceType));
    return {
      Zones: { Zone: zones.map((zone) => ({ ZoneId: zone.zoneId, LocalName: zone.localName ?? zone.zoneId })) },
    };
  },
};

const describeRegions: RpcAction = {
  mutating: false,
  handle(context) {
    optionalRegion(context);
    const resourceType = context.params.optionalEnum('ServiceResourceType', RESOURCE_TYPES);
    const { world } = context.cloud;
    const types = RESOURCE_TYPES.filter((type) =>
      world.zones.some((zone) => zone.privateLinkResourceTypes.includes(type)),
    );
    const regions = resourceType === undefined || types.includes(resourceType) ? [world] : [];
    return {
      Regions: {
        Region: regions.map((region) => ({
          RegionId: region.regionId,
          LocalName: region.regionLocalName ?? region.regionId,
          RegionEndpoint: `privatelink.${region.regionId}.aliyuncs.com`,
          ServiceResourceTypes: { ServiceResourceType: types },
        })),
      },
    };
  },
};

const checkProductOpen: RpcAction = {
  mutating: false,
  handle(context) {
    return { Success: context.cloud.privateLinkOpen.has(context.caller.accountId) };
  },
};

const openPrivateLinkService: RpcAction = {
  mutating: true,
  handle(context) {
    const { cloud, caller } = context;
    if (cloud.privateLinkOpen.has(caller.accountId)) {
      throw new ApiError('OrderOpend', `PrivateLink is already activated for account ${caller.accountId}.`);
    }
    cloud.privateLinkOpen.add(caller.accountId);
    return { OrderId: cloud.ids.orderId() };
  },
};

export const accountActions: Record<string, RpcAction> = {
  DescribeZones: describeZones,
  DescribeRegions: describeRegions,
  CheckProductOpen: checkProductOpen,
  OpenPrivateLinkService: openPrivateLinkService,
};
