// Tags on endpoints and endpoint services: the way the plugin finds what it created before.
import type { Endpoint, EndpointService } from '../../cloud';
import { ApiError, illegalParam, missingParam } from '../../errors';
import { pageByToken } from '../../pagination';
import type { Tag } from '../../params';
import type { RpcAction, RpcContext } from '../product';
import { requireRegion } from '../product';
import { matchesTags } from './common';

const MAX_RESOURCE_IDS = 50;
const MAX_TAGS_PER_RESOURCE = 20;

type TaggedKind = 'vpcendpoint' | 'vpcendpointservice';

/**
 * The docs write `vpcendpoint` / `vpcendpointservice`; Terraform sends `VpcEndpoint` /
 * `VpcEndpointService`. Whether the cloud is case-insensitive is unconfirmed: accept both.
 */
function readResourceType(context: RpcContext): TaggedKind {
  const given = context.params.requiredString('ResourceType');
  const kind = given.toLowerCase();
  if (kind !== 'vpcendpoint' && kind !== 'vpcendpointservice')
    throw illegalParam('ResourceType', 'vpcendpoint or vpcendpointservice');
  return kind;
}

function taggable(context: RpcContext, kind: TaggedKind): Array<Endpoint | EndpointService> {
  const { cloud, caller } = context;
  const all = kind === 'vpcendpoint' ? [...cloud.endpoints.values()] : [...cloud.services.values()];
  return all.filter((resource) => resource.ownerAccountId === caller.accountId);
}

function idOf(resource: Endpoint | EndpointService): string {
  return 'endpointId' in resource ? resource.endpointId : resource.serviceId;
}

/** The named resources, each of which must exist and be the caller's. */
function namedResources(context: RpcContext, kind: TaggedKind, ids: string[]): Array<Endpoint | EndpointService> {
  const candidates = taggable(context, kind);
  return ids.map((id) => {
    const resource = candidates.find((candidate) => idOf(candidate) === id);
    if (resource) return resource;
    if (kind === 'vpcendpoint') throw new ApiError('EndpointNotFound', `The endpoint ${id} does not exist.`);
    throw new ApiError('EndpointServiceNotFound', `The endpoint service ${id} does not exist.`);
  });
}

const listTagResources: RpcAction = {
  mutating: false,
  handle(context) {
    const { params } = context;
    requireRegion(context);
    const kind = readResourceType(context);
    const ids = params.repeatList('ResourceId', { max: MAX_RESOURCE_IDS });
    const filter = params.tags();
    const resources = taggable(context, kind).filter(
      (resource) => (ids.length === 0 || ids.includes(idOf(resource))) && matchesTags(resource.tags, filter),
    );
    const rows = resources.flatMap((resource) =>
      resource.tags.map((tag) => ({
        ResourceId: idOf(resource),
        ResourceType: kind,
        TagKey: tag.key,
        TagValue: tag.value,
      })),
    );
    const page = pageByToken(rows, params);
    return { TagResources: page.items, NextToken: page.nextToken };
  },
};

function upsertTags(existing: Tag[], added: Tag[]): Tag[] {
  const merged = existing.filter((tag) => !added.some((other) => other.key === tag.key));
  return [...merged, ...added];
}

const tagResources: RpcAction = {
  mutating: true,
  handle(context) {
    const { params } = context;
    requireRegion(context);
    const kind = readResourceType(context);
    const ids = params.repeatList('ResourceId', { max: MAX_RESOURCE_IDS });
    if (ids.length === 0) throw missingParam('ResourceId.1');
    const tags = params.tags();
    if (tags.length === 0) throw missingParam('Tag.1.Key');
    const resources = namedResources(context, kind, ids);
    for (const resource of resources) {
      const count = upsertTags(resource.tags, tags).length;
      if (count > MAX_TAGS_PER_RESOURCE)
        throw new ApiError(
          'QuotaExceed.TagsPerResource',
          `${idOf(resource)} would carry ${count} tags; at most ${MAX_TAGS_PER_RESOURCE} are allowed.`,
        );
    }
    params.endDryRun();
    for (const resource of resources) resource.tags = upsertTags(resource.tags, tags);
    return {};
  },
};

const untagResources: RpcAction = {
  mutating: true,
  handle(context) {
    const { params } = context;
    requireRegion(context);
    const kind = readResourceType(context);
    const ids = params.repeatList('ResourceId', { max: MAX_RESOURCE_IDS });
    if (ids.length === 0) throw missingParam('ResourceId.1');
    const keys = params.repeatList('TagKey', { max: MAX_TAGS_PER_RESOURCE });
    const all = params.optionalBoolean('All') ?? false;
    if (keys.length === 0 && !all) throw missingParam('TagKey.1');
    const resources = namedResources(context, kind, ids);
    params.endDryRun();
    for (const resource of resources) resource.tags = all ? [] : resource.tags.filter((tag) => !keys.includes(tag.key));
    return {};
  },
};

export const tagActions: Record<string, RpcAction> = {
  ListTagResources: listTagResources,
  TagResources: tagResources,
  UntagResources: untagResources,
};
