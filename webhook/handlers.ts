import {
  formatFinding,
  KIND,
  normalizeConfig,
  shapeProblem,
  SPEC_ANNOTATIONS,
  specAnnotationValues,
  validateConfig,
  type Finding,
  type ZonePolicy,
} from '../core';
import { diff } from '../core/json-patch';
import { isPlainObject } from '../core/spec-view';
import { type AdmissionRequest, type AdmissionResponse, allowed, denied, patched } from './admission';

export interface HandlerOptions {
  zonePolicy: ZonePolicy;
}

/** A pure admission decision: one request in, one response out. */
export type AdmissionHandler = (request: AdmissionRequest, options: HandlerOptions) => AdmissionResponse;

/**
 * Only what a write changes is ours to judge: a CREATE, or an UPDATE of the spec. An UPDATE that
 * leaves the spec as stored passes, whatever rules hold now (they ratchet, as the API server's own
 * CRD validation does), and so does any UPDATE of an object being deleted: a finalizer's removal
 * must never be refused, or the object would stay Terminating forever. DELETE, CONNECT and
 * subresources pass untouched. The chart's matchConditions say the same, so that a webhook that is
 * down cannot block those writes either.
 */
function judgesObject(request: AdmissionRequest): boolean {
  const subResource = typeof request.subResource === 'string' && request.subResource !== '';
  if (subResource) return false;
  if (request.operation === 'CREATE') return true;
  if (request.operation !== 'UPDATE') return false;
  if (beingDeleted(request.object)) return false;
  const before = specOf(request.oldObject);
  const after = specOf(request.object);
  // Too deep or too large to compare safely (the diff recurses): judge it, and the core refuses what is wrong.
  if (shapeProblem(before) !== undefined || shapeProblem(after) !== undefined) return true;
  return diff(before, after).length > 0 || specAnnotationsChanged(request.oldObject, request.object);
}

/** Whether an annotation that stands for a spec field (asmpvl.io/deletion-policy, …) was set, changed or removed. */
function specAnnotationsChanged(before: unknown, after: unknown): boolean {
  const old = specAnnotationValues(before);
  const now = specAnnotationValues(after);
  return SPEC_ANNOTATIONS.some(({ annotation }) => old.get(annotation) !== now.get(annotation));
}

function beingDeleted(object: unknown): boolean {
  return isPlainObject(object) && isPlainObject(object.metadata) && object.metadata.deletionTimestamp != null;
}

function specOf(object: unknown): unknown {
  return isPlainObject(object) ? object.spec : undefined;
}

/**
 * How many findings an answer spells out. The rest are counted, so a denial, its warnings and the
 * log line stay a few kilobytes whatever the object holds (20,000 bad clusters are 20,000 findings).
 */
export const MAX_LISTED_FINDINGS = 10;
/** Longest finding in an answer: a finding quotes the user's value, which can be a megabyte long. */
const MAX_FINDING_LENGTH = 512;

function fitFinding(finding: Finding): string {
  const text = formatFinding(finding);
  return text.length <= MAX_FINDING_LENGTH ? text : `${text.slice(0, MAX_FINDING_LENGTH - 3)}...`;
}

/** The first findings as text, and a line that counts the rest. */
export function boundedFindings(findings: readonly Finding[], what: string): string[] {
  const listed = findings.slice(0, MAX_LISTED_FINDINGS).map(fitFinding);
  const rest = findings.length - listed.length;
  return rest > 0
    ? [...listed, `and ${rest} more ${what} (run kubectl asmpvl validate -f on the object for all of them)`]
    : listed;
}

function objectName(request: AdmissionRequest): string {
  const object = request.object;
  const metadata = isPlainObject(object) && isPlainObject(object.metadata) ? object.metadata : undefined;
  const name = (value: unknown) => (typeof value === 'string' ? value.slice(0, 253) : '');
  if (name(metadata?.name) !== '') return name(metadata?.name);
  if (name(request.name) !== '') return name(request.name);
  if (name(metadata?.generateName) !== '') return `${name(metadata?.generateName)}*`;
  return '';
}

/** Defaults and normalises (the validation core's patch); it never denies and never touches status. */
export const mutate: AdmissionHandler = (request) => {
  if (!judgesObject(request)) return allowed(request.uid);
  const result = normalizeConfig(request.object);
  return patched(request.uid, result.patch, boundedFindings(result.warnings, 'warnings'));
};

function denialMessage(name: string, errors: Finding[]): string {
  // One line: kubectl prints it after `denied the request: `, and multi-line messages render poorly.
  return `${KIND} "${name}" is invalid: ${boundedFindings(errors, 'errors').join('; ')}`;
}

/** Rejects an invalid object with every error in one message; warnings go back as admission warnings. */
export const validate: AdmissionHandler = (request, options) => {
  if (!judgesObject(request)) return allowed(request.uid);
  const result = validateConfig(request.object, { zonePolicy: options.zonePolicy });
  const warnings = boundedFindings(result.warnings, 'warnings');
  if (result.errors.length === 0) return allowed(request.uid, warnings);
  return denied(
    request.uid,
    {
      code: 422,
      reason: 'Invalid',
      // No details.causes: kubectl would print the causes instead of the message and drop the
      // "admission webhook … denied the request" line that tells the user who refused.
      message: denialMessage(objectName(request), result.errors),
    },
    warnings,
  );
};
