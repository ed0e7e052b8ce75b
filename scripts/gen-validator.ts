/**
 * Schema validation compiled ahead of time: ajv's standalone code for schemas/asmpvlconfig.schema.json,
 * written into core/generated/ by `npm run gen` (and checked for drift by `npm run gen:check`). The
 * webhook and the plugin import the generated functions, so nothing compiles a schema at start and
 * ajv's compiler is not in either bundle.
 */
import { _ } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import standaloneCode from 'ajv/dist/standalone';
import addFormats from 'ajv-formats';
import resourceSchema from '../schemas/asmpvlconfig.schema.json';

// Kubernetes schema extensions carry meaning for the API server, not for JSON Schema validation.
const KUBERNETES_KEYWORDS = [
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-validations',
  'x-kubernetes-preserve-unknown-fields',
];

function standaloneModule(useDefaults: boolean, allErrors = true): string {
  const ajv = new Ajv2020({
    allErrors,
    verbose: true,
    strict: true,
    useDefaults,
    code: { source: true, esm: true, formats: _`require("ajv-formats/dist/formats").fullFormats` },
  });
  addFormats(ajv, ['date-time']);
  ajv.addFormat('int64', true);
  for (const keyword of KUBERNETES_KEYWORDS) ajv.addKeyword(keyword);
  return linearErrorMerge(standaloneCode(ajv, ajv.compile(resourceSchema)));
}

/**
 * ajv merges the errors of a referenced validator with `vErrors.concat(...)`, which copies every error
 * so far on each call: 8,000 invalid clusters took 1.5 s, 20,000 over 10 s (quadratic). Appending in
 * place keeps validation linear in the number of errors.
 */
function linearErrorMerge(code: string): string {
  const merge = /vErrors = vErrors === null \? (validate\d+)\.errors : vErrors\.concat\(\1\.errors\);/g;
  const merged = code.replace(
    merge,
    (_match, validator: string) =>
      `if (vErrors === null) vErrors = ${validator}.errors; else for (const e of ${validator}.errors) vErrors.push(e);`,
  );
  if (merged.includes('.concat('))
    throw new Error('ajv standalone code no longer merges errors as expected: update linearErrorMerge');
  return merged;
}

function typescriptModule(code: string, what: string): string {
  // The generated code is plain JavaScript (typed by core/schema.ts where it is imported).
  return `/* Generated from schemas/asmpvlconfig.schema.json by \`npm run gen\` (scripts/gen-validator.ts). Do not edit. */\n// ${what}\n// @ts-nocheck\n${code}\n`;
}

/** The generated validator files, as [path, content] pairs for scripts/gen.ts. */
export function validatorOutputs(): Array<[string, string]> {
  return [
    [
      'core/generated/asmpvlconfig.validate.ts',
      typescriptModule(standaloneModule(false), 'Validates an object against the schema; errors in validate.errors.'),
    ],
    [
      'core/generated/asmpvlconfig.validate-first.ts',
      typescriptModule(
        standaloneModule(false, false),
        'Stops at the first error: for objects too large to list every error of (see core/schema.ts).',
      ),
    ],
    [
      'core/generated/asmpvlconfig.defaults.ts',
      typescriptModule(standaloneModule(true), "Fills in the schema's defaults in place while validating."),
    ],
  ];
}
