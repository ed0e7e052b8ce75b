/**
 * Deterministic ClientTokens. A create carries a token derived from what it is (mesh, cluster,
 * link, step), the spec it serves and its exact parameters, so a run killed after the cloud acted
 * but before the answer arrived re-sends the very same token when run again, and the cloud answers
 * with the resource it already made instead of making a second one.
 *
 * Why the spec's identity (object uid and generation) is part of it: ClientTokens are remembered by
 * the cloud for a while, so after `disconnect` then `connect` of the same cluster a token made of
 * the step alone would replay the answer for a resource that no longer exists. Every spec edit
 * bumps the generation; a killed and re-run `connect` writes the same spec (no new generation), so
 * it keeps its tokens. Why the parameters: the same token with other parameters is refused
 * (`IdempotentParameterMismatch`), so a changed request must get a new token.
 */
import { createHash } from 'node:crypto';

export interface TokenSubject {
  meshId: string;
  /** Absent for steps on the shared Pilot service. */
  clusterId?: string;
  link: string;
  /** The step, e.g. `create-service` or `add-zone/cn-hangzhou-j`. */
  step: string;
  /** The spec the step serves: `<uid>/<generation>` of asmpvlconfig/default. */
  specRevision: string;
  /** The request's parameters (any JSON value); key order does not matter. */
  parameters: unknown;
}

/** JSON with object keys sorted, so equal parameters always give the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * `asmpvl-` and 40 hex characters of SHA-256 (47 ASCII characters; the cloud takes up to 64).
 */
export function clientTokenFor(subject: TokenSubject): string {
  const text = canonicalJson([
    subject.meshId,
    subject.clusterId ?? '',
    subject.link,
    subject.step,
    subject.specRevision,
    subject.parameters,
  ]);
  return `asmpvl-${createHash('sha256').update(text).digest('hex').slice(0, 40)}`;
}
