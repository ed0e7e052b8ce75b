/**
 * admission.k8s.io/v1 types and the helpers that build answers, kept apart from HTTP (as
 * controller-runtime's admission package does): a handler decides, the server transports.
 */
import { describeValue } from '../core';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionRequest {
  uid: string;
  kind?: { group: string; version: string; kind: string };
  resource?: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation;
  userInfo?: { username?: string; uid?: string; groups?: string[] };
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
  options?: unknown;
}

export interface StatusCause {
  field: string;
  message: string;
  reason: string;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason: string; message: string; details?: { causes: StatusCause[] } };
  patchType?: 'JSONPatch';
  patch?: string;
  warnings?: string[];
}

export interface AdmissionReview {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: 'AdmissionReview';
  request?: AdmissionRequest;
  response?: AdmissionResponse;
}

/** The answer the API server expects: same apiVersion and kind it sent, the request's uid echoed. */
export function reviewOf(response: AdmissionResponse): AdmissionReview {
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}

/** Warnings longer than this may be truncated by the API server; keep each within it. */
export const MAX_WARNING_LENGTH = 256;

function fitWarning(text: string): string {
  return text.length <= MAX_WARNING_LENGTH ? text : `${text.slice(0, MAX_WARNING_LENGTH - 3)}...`;
}

export function allowed(uid: string, warnings: string[] = []): AdmissionResponse {
  return { uid, allowed: true, ...(warnings.length > 0 ? { warnings: warnings.map(fitWarning) } : {}) };
}

export function patched(uid: string, patch: unknown[], warnings: string[] = []): AdmissionResponse {
  if (patch.length === 0) return allowed(uid, warnings);
  return {
    ...allowed(uid, warnings),
    patchType: 'JSONPatch',
    patch: Buffer.from(JSON.stringify(patch)).toString('base64'),
  };
}

/** A refusal the user reads as `admission webhook "…" denied the request: <message>`. */
export function denied(
  uid: string,
  denial: { code: number; reason: string; message: string; causes?: StatusCause[] },
  warnings: string[] = [],
): AdmissionResponse {
  const { causes, ...status } = denial;
  return {
    ...allowed(uid, warnings),
    allowed: false,
    status: { ...status, ...(causes && causes.length > 0 ? { details: { causes } } : {}) },
  };
}

const OPERATIONS: readonly string[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

/** Reasons a body is not a usable AdmissionReview, or undefined when it is one. */
export function admissionReviewProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body is not a JSON object';
  const review = body as Partial<AdmissionReview>;
  if (review.kind !== 'AdmissionReview') return `kind must be AdmissionReview, got ${describeValue(review.kind)}`;
  if (review.apiVersion !== ADMISSION_API_VERSION)
    return `apiVersion must be ${ADMISSION_API_VERSION} (list only v1 in admissionReviewVersions), got ${describeValue(review.apiVersion)}`;
  const request = review.request as Partial<AdmissionRequest> | undefined;
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return 'request is missing';
  if (typeof request.uid !== 'string' || request.uid === '') return 'request.uid is missing';
  if (request.uid.length > 128) return 'request.uid is longer than 128 characters; the API server sends a UUID';
  if (typeof request.operation !== 'string' || !OPERATIONS.includes(request.operation))
    return `request.operation ${describeValue(request.operation)} is not one of CREATE, UPDATE, DELETE, CONNECT`;
  return undefined;
}
