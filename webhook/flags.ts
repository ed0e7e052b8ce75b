/**
 * The webhook's command line. Pure: argv in, settings out, a UsageError for anything it cannot use.
 * Durations are written as kubectl writes them (`5s`, `1m`), sizes as Kubernetes quantities (`12Mi`).
 */
import { parseArgs } from 'node:util';
import { isZonePolicy, type ZonePolicy } from '../core';
import { parseDuration } from '../core/duration';
import { DEFAULT_REVIEW_WORKER_LIMITS } from './review-worker';
import {
  IDLE_BEFORE_REVIEW_MS,
  MAX_BODY_BYTES,
  MAX_CONNECTIONS,
  MAX_CONNECTIONS_PER_SOURCE,
  MAX_LARGE_BUFFERED_BYTES,
} from './server';

export const USAGE = `Usage: asmpvl-webhook --tls-cert-file FILE --tls-private-key-file FILE [flags]

The ASMPvlConfig admission webhook: POST /mutate and /validate (AdmissionReview v1) over HTTPS,
GET /healthz, /readyz and /metrics. Reloads the certificate files when they change; drains on SIGTERM.
Flags:
  --port PORT                            HTTPS port (default 9443)
  --tls-cert-file FILE, --tls-private-key-file FILE   the serving certificate and key (required)
  --zone-policy overlap|strict           zone rule for PrivateLink endpoints (default overlap)
  --log-level LEVEL                      debug, info, warn or error (default info)
  --max-connections N                    open connections at most, from every client (default ${MAX_CONNECTIONS})
  --max-connections-per-source N         open connections at most from one source address (default ${MAX_CONNECTIONS_PER_SOURCE})
  --idle-before-review-timeout DURATION  close a connection that has sent no review after this long idle (default ${IDLE_BEFORE_REVIEW_MS / 1000}s)
  --large-body-budget SIZE               bytes of bodies over 64Ki held at once; past it they get 503 (default ${MAX_LARGE_BUFFERED_BYTES / 1024 / 1024}Mi)
  --large-review-heap SIZE               heap of the thread judging bodies over 64Ki; a body needing more gets 413 (default ${DEFAULT_REVIEW_WORKER_LIMITS.maxHeapMb}Mi)`;

export class UsageError extends Error {}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'];

export interface WebhookFlags {
  help: boolean;
  port: number;
  certFile: string;
  keyFile: string;
  zonePolicy: ZonePolicy;
  logLevel: string;
  maxConnections: number;
  maxConnectionsPerSource: number;
  idleBeforeReviewMs: number;
  largeBodyBudgetBytes: number;
  largeReviewHeapMb: number;
}

const UNITS: Record<string, number> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };

/** Bytes of a Kubernetes binary quantity (`12Mi`, `512Ki`, `1048576`); undefined if it is not one. */
export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(text);
  return match ? Number(match[1]) * UNITS[match[2] ?? '']! : undefined;
}

function count(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1) throw new UsageError(`--${flag} ${text}: expected a whole number of 1 or more`);
  return value;
}

function size(flag: string, text: string, atLeast: number): number {
  const bytes = parseByteSize(text);
  if (bytes === undefined || bytes < atLeast)
    throw new UsageError(`--${flag} ${text}: expected a size of at least ${atLeast / 1024 / 1024}Mi, like 12Mi`);
  return bytes;
}

function duration(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new UsageError(`--${flag} ${text}: expected a duration like 5s or 1m`);
  return ms;
}

/** The settings `argv` asks for. */
export function parseFlags(argv: string[]): WebhookFlags {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string', default: '9443' },
        'tls-cert-file': { type: 'string' },
        'tls-private-key-file': { type: 'string' },
        'zone-policy': { type: 'string', default: 'overlap' },
        'log-level': { type: 'string', default: 'info' },
        'max-connections': { type: 'string', default: String(MAX_CONNECTIONS) },
        'max-connections-per-source': { type: 'string', default: String(MAX_CONNECTIONS_PER_SOURCE) },
        'idle-before-review-timeout': { type: 'string', default: `${IDLE_BEFORE_REVIEW_MS / 1000}s` },
        'large-body-budget': { type: 'string', default: `${MAX_LARGE_BUFFERED_BYTES / 1024 / 1024}Mi` },
        'large-review-heap': { type: 'string', default: `${DEFAULT_REVIEW_WORKER_LIMITS.maxHeapMb}Mi` },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535)
    throw new UsageError(`--port must be a port number, got ${values.port}`);
  const help = values.help ?? false;
  if (!help && (!values['tls-cert-file'] || !values['tls-private-key-file']))
    throw new UsageError(
      '--tls-cert-file and --tls-private-key-file are required: the API server only calls webhooks over HTTPS',
    );
  if (!isZonePolicy(values['zone-policy']))
    throw new UsageError(`--zone-policy must be overlap or strict, got ${values['zone-policy']}`);
  if (!LOG_LEVELS.includes(values['log-level']))
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${values['log-level']}`);
  const maxConnections = count('max-connections', values['max-connections']);
  const maxConnectionsPerSource = count('max-connections-per-source', values['max-connections-per-source']);
  if (maxConnectionsPerSource > maxConnections)
    throw new UsageError(
      `--max-connections-per-source ${maxConnectionsPerSource} is more than --max-connections ${maxConnections}`,
    );
  // The budget must hold the largest body the webhook accepts, and the heap what parsing a large one builds.
  const largeBodyBudgetBytes = size('large-body-budget', values['large-body-budget'], MAX_BODY_BYTES);
  const largeReviewHeapBytes = size('large-review-heap', values['large-review-heap'], 64 * 1024 * 1024);
  return {
    help,
    port,
    certFile: values['tls-cert-file'] ?? '',
    keyFile: values['tls-private-key-file'] ?? '',
    zonePolicy: values['zone-policy'],
    logLevel: values['log-level'],
    maxConnections,
    maxConnectionsPerSource,
    idleBeforeReviewMs: duration('idle-before-review-timeout', values['idle-before-review-timeout']),
    largeBodyBudgetBytes,
    largeReviewHeapMb: Math.floor(largeReviewHeapBytes / 1024 / 1024),
  };
}
