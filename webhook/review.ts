import type { ZonePolicy } from '../core';
import {
  type AdmissionRequest,
  type AdmissionResponse,
  admissionReviewProblem,
  type AdmissionReview,
  reviewOf,
} from './admission';
import { parseBoundedJson, REVIEW_JSON_LIMITS } from './bounded-json';
import { type AdmissionHandler, mutate, validate } from './handlers';

export type Endpoint = 'mutate' | 'validate';
export const handlers: Record<Endpoint, AdmissionHandler> = { mutate, validate };

export type Verdict = 'allowed' | 'patched' | 'denied';

/** Short strings from the request and the answer, fit for a log line; never the object. */
export interface ReviewLogFields {
  uid?: string;
  kind?: string;
  name?: string;
  operation?: string;
  dryRun: boolean;
  user?: string;
  reason?: string;
  warnings?: number;
}

/**
 * The answer to one review body: the HTTP status and JSON text to send, and for a judged review (200)
 * its verdict and log fields. Plain data, so a worker thread can judge a body and hand this back.
 */
export interface ReviewOutcome {
  status: number;
  body: string;
  verdict?: Verdict;
  log?: ReviewLogFields;
}

/** The Status body of a refused request. */
export function problemBody(status: number, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: status, message });
}

function verdictOf(response: AdmissionResponse): Verdict {
  if (!response.allowed) return 'denied';
  return response.patch ? 'patched' : 'allowed';
}

// What a client sent, fit for a log line: text cut short, anything else dropped.
function loggable(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, 256) : undefined;
}

function logFieldsOf(request: AdmissionRequest, response: AdmissionResponse): ReviewLogFields {
  const object = request.object as { metadata?: { name?: unknown } } | null | undefined;
  const metadata = typeof object === 'object' && object !== null ? object.metadata : undefined;
  return {
    uid: loggable(request.uid),
    kind: loggable((request.kind as { kind?: unknown } | undefined)?.kind),
    name:
      loggable(typeof metadata === 'object' && metadata !== null ? metadata.name : undefined) ?? loggable(request.name),
    operation: loggable(request.operation),
    dryRun: request.dryRun === true,
    user: loggable((request.userInfo as { username?: unknown } | undefined)?.username),
    ...(response.status ? { reason: response.status.message.slice(0, 2048) } : {}),
    ...(response.warnings ? { warnings: response.warnings.length } : {}),
  };
}

/**
 * Judges one review body on `endpoint`: a 413 or 400 when it is not a usable AdmissionReview, else a
 * 200 carrying the handler's answer.
 */
export function judgeReviewBody(endpoint: Endpoint, body: Buffer, zonePolicy: ZonePolicy): ReviewOutcome {
  const parsed = parseBoundedJson(body, REVIEW_JSON_LIMITS);
  if ('problem' in parsed) {
    const status = parsed.tooLarge ? 413 : 400;
    return { status, body: problemBody(status, `body is ${parsed.problem}`) };
  }
  const problem = admissionReviewProblem(parsed.value);
  if (problem !== undefined)
    return { status: 400, body: problemBody(400, `not an admission.k8s.io/v1 AdmissionReview: ${problem}`) };
  const request = (parsed.value as AdmissionReview).request as AdmissionRequest;
  const response = handlers[endpoint](request, { zonePolicy });
  return {
    status: 200,
    body: JSON.stringify(reviewOf(response)),
    verdict: verdictOf(response),
    log: logFieldsOf(request, response),
  };
}
