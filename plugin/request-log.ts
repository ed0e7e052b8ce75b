/**
 * Kubernetes API requests logged as kubectl logs them (klog's text form): `-v=6` one "Response"
 * line per request with verb, URL, status and milliseconds; `-v=7` adds a "Request" line with the
 * headers; `-v=8` the response headers and the request and response bodies (1024 characters, all
 * of them at `-v=10`). Credentials never reach the log: Authorization is masked as kubectl masks it,
 * and secret values in a body (a Secret's data, tokens, keys, passwords) are replaced.
 */
import type { KubeRequestEvent } from '../engine/kube/kubeconfig';

/** The lowest -v that logs requests, and the levels that add headers and bodies (kubectl's). */
export const REQUEST_LOG_LEVEL = 6;
const HEADERS_LEVEL = 7;
export const BODIES_LEVEL = 8;

const AUTH_TYPES = new Set(['bearer', 'basic', 'negotiate']);

/**
 * The reason phrase of an HTTP status (`404` → `Not Found`), from node:http when a line is written:
 * a command that logs no request never loads that module.
 */
function statusText(status: number): string {
  return process.getBuiltinModule('node:http').STATUS_CODES[status] ?? '';
}

/** kubectl's masking of an Authorization value: `Bearer <masked>`, or `<masked>` for an unknown scheme. */
function masked(name: string, value: string): string {
  if (name.toLowerCase() !== 'authorization' || value === '') return value;
  const type = value.split(' ')[0]!;
  if (!AUTH_TYPES.has(type.toLowerCase())) return '<masked>';
  return value.length > type.length + 1 ? `${type} <masked>` : type;
}

// Field names whose values are credentials wherever they appear in a body.
const SECRET_FIELD = /token|password|secret|credential|private-?key|client-key|access-?key/i;

/** A body with its secret values replaced: a Secret's `data`/`stringData`, and any field named like a credential. */
export function redactBody(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  return JSON.stringify(redact(parsed));
}

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const isSecret = object.kind === 'Secret';
  return Object.fromEntries(
    Object.entries(object).map(([key, field]) => {
      if (isSecret && (key === 'data' || key === 'stringData') && field && typeof field === 'object')
        return [key, Object.fromEntries(Object.keys(field).map((name) => [name, '<redacted>']))];
      if (SECRET_FIELD.test(key) && typeof field === 'string') return [key, '<redacted>'];
      return [key, redact(field)];
    }),
  );
}

/** kubectl's truncation of a logged body: 1024 characters at -v=8, 10240 at -v=9, all at -v=10. */
function truncated(body: string, level: number): string {
  const max = level >= 10 ? Infinity : level >= 9 ? 10240 : 1024;
  return body.length <= max ? body : `${body.slice(0, max)} [truncated ${body.length - max} chars]`;
}

/** klog's text header: `I1205 06:40:00.123456   12345 file.go:1] `. */
function klogPrefix(now: Date, pid: number, source: string): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const date = `${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds(), 3)}000`;
  return `I${date} ${time} ${String(pid).padStart(7)} ${source}] `;
}

/** klog's key="value" pairs; a value over several lines is written as `key=<` ... `>`. */
function pairs(values: Array<[string, string | number]>): string {
  return values
    .map(([key, value]) => {
      if (typeof value === 'number') return ` ${key}=${value}`;
      if (!value.includes('\n')) return ` ${key}=${JSON.stringify(value)}`;
      const lines = value.replace(/\n$/, '').split('\n');
      return ` ${key}=<\n${lines.map((line) => `\t${line}`).join('\n')}\n >`;
    })
    .join('');
}

function headerLines(headers: Record<string, string>): string {
  return Object.keys(headers)
    .sort()
    .map((name) => `${name}: ${masked(name, headers[name]!)}\n`)
    .join('');
}

/** The lines kubectl would log for one request at verbosity `level` (nothing below 6). */
export function requestLogLines(event: KubeRequestEvent, level: number, now: Date, pid: number): string {
  if (level < REQUEST_LOG_LEVEL) return '';
  const lines: string[] = [];
  const line = (source: string, message: string, values: Array<[string, string | number]>) =>
    lines.push(`${klogPrefix(now, pid, source)}${JSON.stringify(message)}${pairs(values)}\n`);
  const target: Array<[string, string]> = [
    ['verb', event.method],
    ['url', event.url],
  ];
  if (level >= HEADERS_LEVEL)
    line('round_trippers.go:527', 'Request', [...target, ['headers', headerLines(event.requestHeaders)]]);
  if (level >= BODIES_LEVEL && event.requestBody !== undefined)
    line('request.go:1134', 'Request Body', [['body', truncated(redactBody(event.requestBody), level)]]);
  const status = event.status === 0 ? '' : `${event.status} ${statusText(event.status)}`.trim();
  const response: Array<[string, string | number]> = [...target, ['status', status]];
  if (level >= BODIES_LEVEL && event.responseHeaders) response.push(['headers', headerLines(event.responseHeaders)]);
  response.push(['milliseconds', event.durationMs]);
  if (event.error !== undefined) response.push(['err', event.error]);
  line('round_trippers.go:632', 'Response', response);
  if (level >= BODIES_LEVEL && event.responseBody !== undefined)
    line('request.go:1208', 'Response Body', [['body', truncated(redactBody(event.responseBody), level)]]);
  return lines.join('');
}
