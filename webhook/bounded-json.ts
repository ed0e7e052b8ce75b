/**
 * JSON parsing with the work bounded before it starts. A body under the size limit can still hold
 * millions of tiny values (`[{},{},...]` is three bytes a value), and JSON.parse would build every one:
 * about 1 GB of heap from 8 MiB of text. So a body larger than a real review of a small object is
 * scanned first (one pass over the bytes, no allocation) and refused when it holds more values, or
 * nests deeper, than the API server could ever send.
 */

export interface JsonLimits {
  /**
   * Objects, arrays and list entries (each `{`, `[` and `,` outside strings) in the whole body: what
   * JSON.parse would build, counted without building it. An empty object in a list counts twice.
   */
  maxValues: number;
  /** Nesting of objects and arrays. Go's encoding/json, which the API server decodes with, stops at 10,000. */
  maxDepth: number;
  /** Bodies up to this size are parsed without a scan: they cannot hold enough values to matter. */
  scanAbove: number;
}

/**
 * An object the API server stores is at most ~1.5 MiB (etcd's limit), about 200,000 values at their
 * tersest, and a review carries two (object and oldObject): 500,000 is above any review it sends, while
 * what JSON.parse builds from it stays well inside the chart's 256Mi memory limit (a million short
 * strings took the process from 150 to 215 MiB; test/chaos/webhook-memory.chaos.test.ts measures it).
 */
export const REVIEW_JSON_LIMITS: JsonLimits = { maxValues: 500_000, maxDepth: 10_100, scanAbove: 256 * 1024 };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

function tooMany(limits: JsonLimits): string {
  return `made of more than ${limits.maxValues} objects, arrays and list entries`;
}

/** Why the body is too large in values or depth, or undefined when it is within the limits. */
export function jsonShapeProblem(bytes: Uint8Array, limits: JsonLimits): string | undefined {
  let values = 1;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
      continue;
    }
    if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++values > limits.maxValues) return tooMany(limits);
      if (++depth > limits.maxDepth) return `nested more than ${limits.maxDepth} levels deep`;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--;
    else if (byte === COMMA && ++values > limits.maxValues) return tooMany(limits);
  }
  return values > limits.maxValues ? tooMany(limits) : undefined;
}

export type ParsedJson = { value: unknown } | { problem: string; tooLarge: boolean };

/** Parses `bytes` as UTF-8 JSON within `limits`: the value, or why not (too large, or not JSON). */
export function parseBoundedJson(bytes: Buffer, limits: JsonLimits): ParsedJson {
  if (bytes.length > limits.scanAbove) {
    const problem = jsonShapeProblem(bytes, limits);
    if (problem !== undefined) return { problem, tooLarge: true };
  }
  try {
    return { value: JSON.parse(bytes.toString('utf8')) as unknown };
  } catch (error) {
    return { problem: `not valid JSON: ${(error as Error).message.slice(0, 200)}`, tooLarge: false };
  }
}
