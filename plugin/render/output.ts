/**
 * The output forms kubectl users script against, for one object: `-o json` and `-o yaml` of the
 * whole object as `kubectl get -o json|yaml` prints it, `-o name`, and `-o jsonpath=TEMPLATE` in
 * kubectl's JSONPath template syntax. Pure functions of the object.
 */
import { Document, Scalar, visit } from 'yaml';
import { terminalSafeText } from './sanitize';

/** What `-o` takes for one object, besides a command's own table forms. */
export type ObjectFormat = 'json' | 'yaml' | 'name' | { jsonpath: string };

/** Reads an `-o` value into an object format, or undefined for a table form (or an unknown word). */
export function objectFormat(output: string): ObjectFormat | undefined {
  if (output === 'json' || output === 'yaml' || output === 'name') return output;
  const jsonpath = /^jsonpath=(.*)$/s.exec(output);
  return jsonpath ? { jsonpath: jsonpath[1]! } : undefined;
}

/** Accepts what a command with `tables` can print with -o; the message lists them all. */
export function checkOutput(output: string, tables: readonly string[]): string | undefined {
  if (tables.includes(output) || objectFormat(output)) return undefined;
  const forms = [...new Set([...tables, 'json', 'yaml', 'name', 'jsonpath=TEMPLATE'])];
  return `expected one of ${forms.join(', ')}; got ${JSON.stringify(output)}`;
}

interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; managedFields?: unknown };
}

/** As kubectl shows an object: without metadata.managedFields (kubectl's --show-managed-fields=false). */
function shown(object: KubeObject): KubeObject {
  if (!object.metadata?.managedFields) return object;
  const { managedFields: _, ...metadata } = object.metadata;
  return { ...object, metadata };
}

/** `kind.group/name`, lower case, as `kubectl get -o name` prints a custom resource. */
export function objectName(object: KubeObject): string {
  const group = (object.apiVersion ?? '').split('/');
  const kind = (object.kind ?? '').toLowerCase();
  return `${group.length === 2 ? `${kind}.${group[0]}` : kind}/${object.metadata?.name ?? ''}`;
}

/** Maps in key order, as kubectl (Go's encoding/json) writes them. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}

/** The object in `format`, ending in a newline, as kubectl prints it. */
export function renderObject(object: KubeObject, format: ObjectFormat): string {
  if (format === 'name') return `${objectName(object)}\n`;
  if (typeof format === 'object') return jsonpathTemplate(format.jsonpath, shown(object));
  const sorted = sortedKeys(shown(object));
  // kubectl indents JSON by four spaces, and writes YAML with list items at their key's indentation.
  if (format === 'json') return `${JSON.stringify(sorted, null, 4).replace(UNESCAPED, escaped)}\n`;
  // YAML 1.1, as Go's yaml writes it: a string that reads as a timestamp or a boolean there is quoted.
  const document = new Document(sorted, { version: '1.1' });
  // A string holding a character to escape is double-quoted, where YAML's \u escapes are read back.
  visit(document, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && new RegExp(UNESCAPED.source).test(node.value))
        node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return document.toString({ indentSeq: false, lineWidth: 0 }).replace(UNESCAPED, escaped);
}

/**
 * DEL, the C1 controls (0x80-0x9f: one-byte CSI and OSC) and the bidirectional embeddings, overrides
 * and isolates: text from the cluster that a terminal obeys or reorders, which neither JSON's nor the
 * YAML writer's escaping covers (both escape C0). Written as `\u009b`, which both formats read back
 * as the same character, so the data is unchanged and the terminal shows it instead of obeying it.
 */

const UNESCAPED = /[\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

function escaped(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** A JSONPath template that cannot be read, with where. */
export class JsonPathError extends Error {}

type Step =
  | { field: string }
  | { index: number }
  | { all: true }
  | { recursive: string }
  | { filter: { path: string[]; op?: string; value?: string } };

/** Splits `.a.b[0]['c'][*]..d[?(@.x=="y")]` into steps. */
function parsePath(path: string): Step[] {
  const steps: Step[] = [];
  let rest = path.trim();
  if (rest.startsWith('$')) rest = rest.slice(1);
  while (rest.length > 0) {
    let match: RegExpExecArray | null;
    if ((match = /^\.\.([\w-]+)/.exec(rest))) steps.push({ recursive: match[1]! });
    else if ((match = /^\.([\w-]+|\*)/.exec(rest))) steps.push(match[1] === '*' ? { all: true } : { field: match[1]! });
    else if ((match = /^\[\*\]/.exec(rest))) steps.push({ all: true });
    else if ((match = /^\[(-?\d+)\]/.exec(rest))) steps.push({ index: Number(match[1]) });
    else if ((match = /^\[['"]([^'"]*)['"]\]/.exec(rest))) steps.push({ field: match[1]! });
    else if ((match = /^\[\?\(@((?:\.[\w-]+)+)\s*(?:(==|!=)\s*(?:"([^"]*)"|'([^']*)'|([\w.-]+)))?\)\]/.exec(rest)))
      steps.push({
        filter: { path: match[1]!.slice(1).split('.'), op: match[2], value: match[3] ?? match[4] ?? match[5] },
      });
    else if (rest === '.') break;
    else throw new JsonPathError(`unrecognized character in action: ${unicodeName(rest.codePointAt(0)!)}`);
    rest = rest.slice(match?.[0].length ?? rest.length);
  }
  return steps;
}

/** Go's %#U: `U+0021 '!'`. */
function unicodeName(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')} '${String.fromCodePoint(code)}'`;
}

function children(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') return Object.values(value);
  return [];
}

function fieldOf(value: unknown, field: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)[field]
    : undefined;
}

function recursive(value: unknown, field: string): unknown[] {
  const here = fieldOf(value, field);
  return [...(here === undefined ? [] : [here]), ...children(value).flatMap((child) => recursive(child, field))];
}

function applyStep(values: unknown[], step: Step): unknown[] {
  return values.flatMap((value) => {
    if ('field' in step) {
      const found = fieldOf(value, step.field);
      return found === undefined ? [] : [found];
    }
    if ('index' in step) {
      if (!Array.isArray(value)) return [];
      const found: unknown = value[step.index < 0 ? value.length + step.index : step.index];
      return found === undefined ? [] : [found];
    }
    if ('all' in step) return children(value);
    if ('recursive' in step) return recursive(value, step.recursive);
    const { path, op, value: wanted } = step.filter;
    return children(value).filter((item) => {
      const got = path.reduce<unknown>((at, field) => fieldOf(at, field), item);
      if (op === undefined) return got !== undefined;
      const equal = got !== undefined && printed(got) === wanted;
      return op === '==' ? equal : !equal;
    });
  });
}

/** The values a path (`.a.b`, `$.a.b` or `@.a.b`) selects from `root`. */
export function select(path: string, root: unknown): unknown[] {
  const steps = parsePath(path.startsWith('@') ? path.slice(1) : path);
  return steps.reduce<unknown[]>((values, step) => applyStep(values, step), [root]);
}

/** How kubectl prints one selected value: strings bare, everything else as JSON. */
function printed(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A selected value as printed, its control characters shown rather than obeyed (the template's own text is left alone). */
function shownValue(value: unknown): string {
  return terminalSafeText(printed(value));
}

export type Node = { text: string } | { path: string } | { range: string; body: Node[] };

/** Where the action opened at `open` closes (its `}`), skipping quoted text; -1 when it does not. */
function actionEnd(template: string, open: number): number {
  let quote: string | undefined;
  for (let at = open + 1; at < template.length; at++) {
    const char = template[at]!;
    // kubectl's parser ends an action at the end of a line too: `{.a` then a newline is unclosed.
    if (char === '\n' || char === '\r') return -1;
    if (quote) {
      if (char === '\\') at++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '}') return at;
  }
  return -1;
}

/** Splits a template into text, `{path}` and `{range path}...{end}` nodes, failing as kubectl's parser does. */
function parseTemplate(template: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  let at = 0;
  while (at < template.length) {
    const current = stack[stack.length - 1]!;
    const open = template.indexOf('{', at);
    if (open === -1 || open > at) {
      current.push({ text: template.slice(at, open === -1 ? undefined : open) });
      if (open === -1) break;
    }
    const close = actionEnd(template, open);
    if (close === -1) throw new JsonPathError('unclosed action');
    at = close + 1;
    const inner = template.slice(open + 1, close).trim();
    const literal = /^"((?:[^"\\]|\\.)*)"$/.exec(inner) ?? /^'([^']*)'$/.exec(inner);
    if (literal) current.push({ text: JSON.parse(`"${literal[1]!}"`) as string });
    else if (inner.startsWith('range ')) {
      const node: Node = { range: checkedPath(inner.slice(6).trim()), body: [] };
      current.push(node);
      stack.push(node.body);
    } else if (inner === 'end') {
      if (stack.length === 1) throw new JsonPathError('not in range, nothing to end');
      stack.pop();
    } else current.push({ path: checkedPath(inner) });
  }
  if (stack.length > 1) throw new JsonPathError(`${template} is an incomplete jsonpath template`);
  return root;
}

/** A path that parses, as written; kubectl names the first character it cannot read. */
function checkedPath(path: string): string {
  parsePath(path.startsWith('@') ? path.slice(1) : path);
  return path;
}

function render(nodes: Node[], root: unknown, current: unknown): string {
  return nodes
    .map((node) => {
      if ('text' in node) return node.text;
      // Inside a range a path is read from the current item, as in kubectl; `$` is always the root.
      if ('path' in node)
        return select(node.path, node.path.startsWith('$') ? root : current)
          .map(shownValue)
          .join(' ');
      return select(node.range, node.range.startsWith('$') ? root : current)
        .map((item) => render(node.body, root, item))
        .join('');
    })
    .join('');
}

/**
 * A kubectl JSONPath template over `object`: `{.status.status}`, `{.spec.ackVpcEndpoint[*].clusterId}`,
 * `{range .status.clusters[*]}{.clusterId}{"\t"}{.pvlEndpoint.status}{"\n"}{end}`, filters
 * `[?(@.clusterId=="c1")]`. Like kubectl, no newline is added at the end.
 */
export function jsonpathTemplate(template: string, object: unknown): string {
  // kubectl accepts a bare path too: `-o jsonpath=.status.status`.
  return render(parseJsonPathTemplate(template), object, object);
}

/**
 * A template read once, before anything is fetched, as kubectl does: a template that cannot be read
 * throws a JsonPathError with kubectl's words (`error parsing jsonpath {.a, unclosed action`).
 */
export function parseJsonPathTemplate(template: string): Node[] {
  // kubectl accepts a bare path too: `-o jsonpath=.status.status`.
  const text = template.includes('{') ? template : `{${template}}`;
  try {
    return parseTemplate(text);
  } catch (error) {
    if (error instanceof JsonPathError) throw new JsonPathError(`error parsing jsonpath ${text}, ${error.message}`);
    throw error;
  }
}
