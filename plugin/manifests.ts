import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
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

/**
 * Most bytes read from one file or stream. The API server stores objects of at most ~1.5 MiB and takes
 * request bodies of at most 3 MiB, so 8 MiB holds any manifest of a real object with room for comments;
 * beyond it the read stops (`-f /dev/zero` ends at once instead of filling the memory).
 */
export const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;
/** YAML aliases expanded at most per document: a "billion laughs" document stops here (the yaml default is 100). */
const MAX_ALIAS_COUNT = 1_000;
/** The extensions kubectl reads from a directory given to -f. */
const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

function tooLarge(source: string): ManifestReadError {
  return new ManifestReadError(
    `cannot read ${source}: larger than ${MAX_MANIFEST_BYTES / 1024 / 1024} MiB; an ASMPvlConfig the API server can store is at most 1.5 MiB: check the file name`,
  );
}

/** Reads a stream to its end, or stops with an error past the size cap. */
async function readCapped(stream: Readable, source: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_MANIFEST_BYTES) {
      stream.destroy();
      throw tooLarge(source);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function readError(source: string, error: unknown): ManifestReadError {
  if (error instanceof ManifestReadError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
  return new ManifestReadError(`cannot read ${source}: ${reason}`);
}

async function readFileCapped(path: string): Promise<string> {
  try {
    return await readCapped(createReadStream(path, { highWaterMark: 1024 * 1024 }), path);
  } catch (error) {
    throw readError(path, error);
  }
}

function isList(value: unknown): value is { items: unknown[] } {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, items } = value as { kind?: unknown; items?: unknown };
  return typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items);
}

// The yaml library refuses alias bombs with a ReferenceError and can overflow the stack on input
// nested thousands of levels deep: both are a file we cannot read, said in one line, never a trace.
function parseDocuments(text: string, source: string): unknown[] {
  // JSON (what kubectl get -o json writes) is read by JSON.parse, which takes any depth: the API server
  // passes managedFields nested thousands of levels deep, where the YAML parser overflows its stack.
  if (/^\s*[[{]/.test(text)) {
    try {
      return [JSON.parse(text) as unknown];
    } catch {
      // Not JSON after all (YAML flow style, or several documents): the YAML parser says what is wrong.
    }
  }
  let documents;
  try {
    documents = parseAllDocuments(text);
  } catch (error) {
    throw new ManifestReadError(`cannot parse ${source}: ${firstLine(error)}`);
  }
  const values: unknown[] = [];
  for (const document of Array.isArray(documents) ? documents : [documents]) {
    const problem = document.errors[0];
    if (problem !== undefined) {
      const where = problem.linePos?.[0] ? ` (line ${problem.linePos[0].line}, column ${problem.linePos[0].col})` : '';
      throw new ManifestReadError(`cannot parse ${source}${where}: ${describeProblem(problem.message)}`);
    }
    try {
      values.push(document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
    } catch (error) {
      const bomb = error instanceof ReferenceError && /alias/i.test(error.message);
      throw new ManifestReadError(
        bomb
          ? `cannot parse ${source}: its YAML aliases expand to more than ${MAX_ALIAS_COUNT} nodes (a "billion laughs" document): write the values out`
          : `cannot parse ${source}: ${firstLine(error)}`,
      );
    }
  }
  return values;
}

function firstLine(error: unknown): string {
  return describeProblem(error instanceof Error ? error.message : String(error));
}

function describeProblem(message: string): string {
  if (/Maximum call stack size exceeded/.test(message))
    return 'nested too deeply for the YAML parser (an ASMPvlConfig nests 7 levels); write it as JSON, or remove the nesting';
  return message.split('\n')[0]!.slice(0, 200);
}

/**
 * Parses multi-document YAML or JSON (JSON is YAML) into objects; `kind: List` documents are expanded
 * into their items, as kubectl does. Empty documents are skipped.
 */
export function parseManifest(text: string, source: string): ManifestObject[] {
  const objects: ManifestObject[] = [];
  for (const value of parseDocuments(text, source)) {
    if (value === null || value === undefined) continue;
    for (const object of isList(value) ? value.items : [value]) objects.push({ source, index: objects.length, object });
  }
  return objects;
}

/**
 * The files a -f value names, as `kubectl apply -f` reads them: a comma-separated list, each a file or
 * a directory; a directory gives its .yaml, .yml and .json files in name order (its subdirectories too
 * with `recursive`, as -R does). `-` is standard input.
 */
export async function manifestFiles(values: readonly string[], recursive: boolean): Promise<string[]> {
  const files: string[] = [];
  for (const value of values) {
    for (const path of value.split(',').filter((part) => part !== '')) {
      if (path === '-') {
        files.push(path);
        continue;
      }
      const info = await stat(path).catch((error: unknown) => {
        throw readError(path, error);
      });
      if (info.isDirectory()) files.push(...(await directoryFiles(path, recursive)));
      else files.push(path);
    }
  }
  return files;
}

async function directoryFiles(directory: string, recursive: boolean): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true }).catch((error: unknown) => {
    throw readError(directory, error);
  });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (recursive) files.push(...(await directoryFiles(path, recursive)));
    } else if (MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase())) files.push(path);
  }
  return files;
}

/** Reads every object from the given -f values (files, directories, comma lists; `-` is standard input). */
export async function readManifests(
  values: readonly string[],
  stdin: Readable,
  options: { recursive?: boolean } = {},
): Promise<ManifestObject[]> {
  const files = await manifestFiles(values, options.recursive ?? false);
  if (files.length === 0)
    throw new ManifestReadError(
      `no .yaml, .yml or .json file in ${values.join(', ')}${options.recursive ? '' : ' (-R reads subdirectories)'}`,
    );
  const all: ManifestObject[] = [];
  for (const file of files) {
    const text = file === '-' ? await readCapped(stdin, 'stdin') : await readFileCapped(file);
    all.push(...parseManifest(text, file === '-' ? 'stdin' : file));
  }
  return all;
}
