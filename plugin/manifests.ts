import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { parseAllDocuments } from 'yaml';

/** One object read from a manifest, with where it came from for messages. */
export interface ManifestObject {
  source: string;
  /** Position of the object in its source, counting from 0 across documents and List items. */
  index: number;
  object: unknown;
}

/** A file or stream that could not be read or parsed: a usage problem, not an invalid object. */
export class ManifestReadError extends Error {}

async function readStream(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

async function readSource(source: string, stdin: Readable): Promise<string> {
  if (source === '-') return readStream(stdin);
  try {
    return await readFile(source, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ManifestReadError(`cannot read ${source}: ${reason}`);
  }
}

function isList(value: unknown): value is { items: unknown[] } {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, items } = value as { kind?: unknown; items?: unknown };
  return typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items);
}

/**
 * Parses multi-document YAML or JSON (JSON is YAML) into objects; `kind: List` documents are expanded
 * into their items, as kubectl does. Empty documents are skipped.
 */
export function parseManifest(text: string, source: string): ManifestObject[] {
  const objects: ManifestObject[] = [];
  for (const document of parseAllDocuments(text)) {
    const problem = document.errors[0];
    if (problem !== undefined) {
      const where = problem.linePos?.[0] ? ` (line ${problem.linePos[0].line}, column ${problem.linePos[0].col})` : '';
      throw new ManifestReadError(`cannot parse ${source}${where}: ${problem.message.split('\n')[0]}`);
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    for (const object of isList(value) ? value.items : [value]) objects.push({ source, index: objects.length, object });
  }
  return objects;
}

/** Reads every object from the given files (`-` is standard input). */
export async function readManifests(sources: readonly string[], stdin: Readable): Promise<ManifestObject[]> {
  const all: ManifestObject[] = [];
  for (const source of sources)
    all.push(...parseManifest(await readSource(source, stdin), source === '-' ? 'stdin' : source));
  return all;
}
