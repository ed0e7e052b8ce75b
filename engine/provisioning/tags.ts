/**
 * The tags that mark a PrivateLink resource as ours. Every endpoint service and endpoint is tagged
 * in its create call (never afterwards), so nothing we create is ever untagged, and a later run
 * finds it by these tags before creating anything.
 */
import type { LinkKind } from './model';

export const TAG_MANAGED_BY = 'asmpvl.io/managed-by';
export const TAG_MESH = 'asmpvl.io/mesh';
export const TAG_CLUSTER = 'asmpvl.io/cluster';
export const TAG_LINK = 'asmpvl.io/link';
export const MANAGED_BY = 'kubectl-asmpvl';

export interface Tag {
  key: string;
  value: string;
}

/** The tags a resource of one link gets; the shared Pilot service carries no cluster tag. */
export function tagsFor(meshId: string, link: LinkKind, clusterId?: string): Tag[] {
  const tags: Tag[] = [
    { key: TAG_MANAGED_BY, value: MANAGED_BY },
    { key: TAG_MESH, value: meshId },
    { key: TAG_LINK, value: link },
  ];
  if (clusterId) tags.push({ key: TAG_CLUSTER, value: clusterId });
  return tags;
}

/** The filter that lists every resource of ours for one mesh. */
export function meshFilter(meshId: string): Tag[] {
  return [
    { key: TAG_MANAGED_BY, value: MANAGED_BY },
    { key: TAG_MESH, value: meshId },
  ];
}

export interface Ownership {
  link: LinkKind;
  clusterId?: string;
}

/**
 * Which link a tagged resource belongs to, or undefined when its tags are not ours for this mesh
 * (a resource tagged by hand, or by another tool, is never touched).
 */
export function ownershipOf(
  tags: ReadonlyArray<{ key: string; value?: string }>,
  meshId: string,
): Ownership | undefined {
  const value = (key: string) => tags.find((tag) => tag.key === key)?.value;
  if (value(TAG_MANAGED_BY) !== MANAGED_BY || value(TAG_MESH) !== meshId) return undefined;
  const link = value(TAG_LINK);
  if (link !== 'apiserver' && link !== 'pilot') return undefined;
  const clusterId = value(TAG_CLUSTER) || undefined;
  return clusterId ? { link, clusterId } : { link };
}
