import { formatFinding, KIND, normalizeConfig, validateConfig, type Finding, type ZonePolicy } from '../core';
import { type AdmissionRequest, type AdmissionResponse, allowed, denied, patched } from './admission';

export interface HandlerOptions {
  zonePolicy: ZonePolicy;
}

/** A pure admission decision: one request in, one response out. */
export type AdmissionHandler = (request: AdmissionRequest, options: HandlerOptions) => AdmissionResponse;

// Only writes of the object itself are ours to judge; DELETE, CONNECT and subresources pass untouched.
function judgesObject(request: AdmissionRequest): boolean {
  return (request.operation === 'CREATE' || request.operation === 'UPDATE') && !request.subResource;
}

function objectName(request: AdmissionRequest): string {
  const metadata = (request.object as { metadata?: { name?: unknown; generateName?: unknown } } | null)?.metadata;
  if (typeof metadata?.name === 'string' && metadata.name !== '') return metadata.name;
  if (typeof request.name === 'string' && request.name !== '') return request.name;
  if (typeof metadata?.generateName === 'string') return `${metadata.generateName}*`;
  return '';
}

/** Defaults and normalises (the validation core's patch); it never denies and never touches status. */
export const mutate: AdmissionHandler = (request) => {
  if (!judgesObject(request)) return allowed(request.uid);
  const result = normalizeConfig(request.object);
  return patched(request.uid, result.patch, result.warnings.map(formatFinding));
};

function denialMessage(name: string, errors: Finding[]): string {
  // One line: kubectl prints it after `denied the request: `, and multi-line messages render poorly.
  return `${KIND} "${name}" is invalid: ${errors.map(formatFinding).join('; ')}`;
}

/** Rejects an invalid object with every error in one message; warnings go back as admission warnings. */
export const validate: AdmissionHandler = (request, options) => {
  if (!judgesObject(request)) return allowed(request.uid);
  const result = validateConfig(request.object, { zonePolicy: options.zonePolicy });
  const warnings = result.warnings.map(formatFinding);
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
