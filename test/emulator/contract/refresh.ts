// Rewrites privatelink-2020-04-15.json, the facts the emulator's PrivateLink contract test checks
// against, from two public sources nobody here wrote:
// - the response models of Alibaba's TypeScript SDK (repository aliyun/alibabacloud-typescript-sdk,
//   folder privatelink-20200415/src/models): every response field of every action;
// - Alibaba Cloud's published OpenAPI metadata of PrivateLink 2020-04-15 (the api-docs file that the
//   dew-serverless/acs-sdk-php package ships as data/privatelink/2020-04-15/api-docs.php; its versions
//   up to 2024-07 list each action's error codes with their HTTP status): every documented error code.
//
//   node --import tsx test/emulator/contract/refresh.ts <sdk checkout> <api-docs.php> <label of both sources>
//
// The models are read as text (the `names()` and `types()` tables of each model class), the
// metadata with a small reader of PHP array literals: both are data here, no code of theirs runs.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type ModelTable = Map<string, { wire: string; type: string }>;

/** `static names()` and `static types()` of each model class in a generated SDK models folder. */
function readModels(folder: string): Map<string, ModelTable> {
  const models = new Map<string, ModelTable>();
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.ts'))) {
    const text = readFileSync(join(folder, file), 'utf8');
    for (const match of text.matchAll(/export class (\w+) extends \$dara\.Model \{([\s\S]*?)\n\}/g)) {
      const [, className, body] = match as unknown as [string, string, string];
      const names = tableOf(body, 'names');
      const types = tableOf(body, 'types');
      const table: ModelTable = new Map();
      for (const [property, wire] of names) table.set(property, { wire, type: types.get(property) ?? 'string' });
      models.set(className, table);
    }
  }
  return models;
}

function tableOf(body: string, method: 'names' | 'types'): Map<string, string> {
  const block = new RegExp(`static ${method}\\(\\)[\\s\\S]*?return \\{([\\s\\S]*?)\\n    \\};`).exec(body)?.[1] ?? '';
  const table = new Map<string, string>();
  for (const line of block.split('\n')) {
    const entry = /^\s*(\w+): (.*?),?\s*$/.exec(line);
    if (entry) table.set(entry[1]!, entry[2]!.replace(/^'(.*)'$/, '$1'));
  }
  return table;
}

/** Every field path of a model: `Endpoints[].Tags[].Key`; a map's keys are `{}`. */
function fieldPaths(models: Map<string, ModelTable>, className: string, prefix: string, out: Set<string>): void {
  for (const { wire, type } of models.get(className)?.values() ?? []) {
    if (wire === 'headers' || wire === 'statusCode') continue;
    const path = prefix === '' ? wire : `${prefix}.${wire}`;
    out.add(path);
    const itemClass = /'itemType': (\w+)/.exec(type)?.[1];
    const isArray = /'type': 'array'/.test(type);
    const nested = isArray ? itemClass : /^[A-Z]\w+$/.test(type) ? type : undefined;
    if (nested && models.has(nested)) fieldPaths(models, nested, isArray ? `${path}[]` : path, out);
  }
}

// ---- a reader of PHP array literals (`[ 'key' => 'value', 400 => [ ... ] ]`) ----

type PhpValue = string | number | boolean | null | PhpValue[] | { [key: string]: PhpValue };

function parsePhpArray(text: string): PhpValue {
  let at = text.indexOf('return') + 'return'.length;
  const skip = () => {
    while (/\s/.test(text[at] ?? '')) at += 1;
  };
  const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', $: '$' };
  const readString = (): string => {
    const quote = text[at]!;
    let out = '';
    at += 1;
    while (text[at] !== quote) {
      if (text[at] === '\\') {
        const next = text[at + 1]!;
        if (quote === "'" && (next === "'" || next === '\\')) {
          out += next;
          at += 2;
          continue;
        }
        if (quote === '"' && next in ESCAPES) {
          out += ESCAPES[next];
          at += 2;
          continue;
        }
      }
      out += text[at];
      at += 1;
    }
    at += 1;
    return out;
  };
  const value = (): PhpValue => {
    skip();
    const char = text[at];
    if (char === "'" || char === '"') {
      let out = readString();
      skip();
      // 'a' . "\n" . 'b': a concatenation is one string.
      while (text[at] === '.') {
        at += 1;
        skip();
        out += readString();
        skip();
      }
      return out;
    }
    if (char === '[' || text.startsWith('array (', at)) {
      const close = char === '[' ? ']' : ')';
      at += char === '[' ? 1 : 'array ('.length;
      const entries: Array<[string | undefined, PhpValue]> = [];
      for (;;) {
        skip();
        if (text[at] === close) break;
        const first = value();
        skip();
        if (text.startsWith('=>', at)) {
          at += 2;
          // Keys are strings or integers (400 => [...]).
          entries.push([typeof first === 'string' ? first : JSON.stringify(first), value()]);
        } else entries.push([undefined, first]);
        skip();
        if (text[at] === ',') at += 1;
      }
      at += 1;
      if (entries.every(([key]) => key === undefined)) return entries.map(([, item]) => item);
      return Object.fromEntries(entries.map(([key, item]) => [key ?? '', item]));
    }
    const word = /^(-?\d+(?:\.\d+)?|true|false|null)/i.exec(text.slice(at))?.[1];
    if (word === undefined) throw new Error(`unexpected ${text.slice(at, at + 40)}`);
    at += word.length;
    if (/^\d/.test(word) || word.startsWith('-')) return Number(word);
    return word.toLowerCase() === 'null' ? null : word.toLowerCase() === 'true';
  };
  return value();
}

type ErrorCodes = Record<string, number>;

function documentedErrorCodes(apiDocs: PhpValue): Map<string, ErrorCodes> {
  const apis = (
    apiDocs as Record<string, Record<string, { errorCodes?: Record<string, Array<{ errorCode: string }>> }>>
  ).apis!;
  const codes = new Map<string, ErrorCodes>();
  for (const [action, api] of Object.entries(apis)) {
    const byCode: ErrorCodes = {};
    for (const [status, list] of Object.entries(api.errorCodes ?? {})) {
      for (const { errorCode } of list) byCode[errorCode] = Number(status);
    }
    codes.set(action, byCode);
  }
  return codes;
}

function main(): void {
  const [sdkCheckout, apiDocsFile, sourceLabel] = process.argv.slice(2);
  if (!sdkCheckout || !apiDocsFile || !sourceLabel) {
    console.error('usage: refresh.ts <alibabacloud-typescript-sdk checkout> <api-docs.php> "<which versions>"');
    process.exit(2);
  }
  const models = readModels(join(sdkCheckout, 'privatelink-20200415', 'src', 'models'));
  const codes = documentedErrorCodes(parsePhpArray(readFileSync(apiDocsFile, 'utf8')));
  const actions = [...models.keys()]
    .filter((name) => /^\w+ResponseBody$/.test(name))
    .map((name) => name.replace(/ResponseBody$/, ''))
    .sort();
  const fixture = {
    source: `response fields: the SDK's <Action>ResponseBody models; error codes: the OpenAPI metadata's errorCodes (${sourceLabel})`,
    refresh:
      'node --import tsx test/emulator/contract/refresh.ts <checkout of aliyun/alibabacloud-typescript-sdk> <PrivateLink 2020-04-15 api-docs.php> "<versions>"',
    actions: Object.fromEntries(
      actions.map((action) => {
        const fields = new Set<string>();
        fieldPaths(models, `${action}ResponseBody`, '', fields);
        return [action, { fields: [...fields].sort(), errorCodes: codes.get(action) ?? {} }];
      }),
    ),
  };
  writeFileSync(join(__dirname, 'privatelink-2020-04-15.json'), `${JSON.stringify(fixture, null, 2)}\n`);
}

main();
