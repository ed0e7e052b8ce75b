import type { ErrorObject, ValidateFunction } from 'ajv';
import resourceSchema from '../schemas/asmpvlconfig.schema.json';
import { childPath, type Finding, pointerToPath } from './findings';
import * as defaultsModule from './generated/asmpvlconfig.defaults';
import * as validateModule from './generated/asmpvlconfig.validate';
import * as validateFirstModule from './generated/asmpvlconfig.validate-first';

/** The one JSON Schema of ASMPvlConfig (schemas/asmpvlconfig.schema.json). */
export const asmPvlConfigSchema = resourceSchema;

export const API_GROUP = 'istio.alibabacloud.com';
export const API_VERSION = 'v1beta1';
export const KIND = 'ASMPvlConfig';
export const PLURAL = 'asmpvlconfigs';
/** Only this object is read; any other name is invalid. */
export const SINGLETON_NAME = 'default';

// Compiled ahead of time by `npm run gen` (scripts/gen-validator.ts): nothing compiles at start, and
// the webhook's first review is as fast as its thousandth.
const validateAll = validateModule.validate as unknown as ValidateFunction;
const validateFirst = validateFirstModule.validate as unknown as ValidateFunction;
const fillDefaults = defaultsModule.validate as unknown as ValidateFunction;

/** Fills in the schema's `default`s in place (on a copy the caller owns). */
export function applyDefaults(object: unknown): void {
  fillDefaults(object);
}

/**
 * Everything the schema forbids, as findings with a field path and an actionable sentence; or, for
 * an object too large to list every error of (core/shape.ts), only the first.
 */
export function schemaFindings(object: unknown, errors: 'all' | 'first' = 'all'): Finding[] {
  const validate = errors === 'all' ? validateAll : validateFirst;
  if (validate(object)) return [];
  return (validate.errors ?? []).map(findingFromAjvError);
}

// A description is a sentence; inside a finding it is a clause, so its full stop goes.
function describe(schema: unknown): string {
  const description = (schema as { description?: unknown } | undefined)?.description;
  return typeof description === 'string' ? description.replace(/\.$/, '') : '';
}

// Keeps acronyms (`ID`, `VPC`) intact: only a capitalised word is lower-cased.
function lowerFirst(text: string): string {
  return /^[A-Z](?![A-Z])/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

function quoted(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function findingFromAjvError(error: ErrorObject): Finding {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const description = describe(error.parentSchema);
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      const propertySchema = (error.parentSchema as { properties?: Record<string, unknown> }).properties?.[missing];
      const what = describe(propertySchema);
      return {
        path: childPath(path, missing),
        message: `required field is missing: add it${what ? ` (${lowerFirst(what)})` : ''}`,
      };
    }
    case 'additionalProperties': {
      const unknown = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      return {
        path: childPath(path, unknown),
        message: `unknown field: remove it or fix its spelling (known fields here: ${known.join(', ')})`,
      };
    }
    case 'pattern':
      return { path, message: `${quoted(error.data)} is not valid: expected ${lowerFirst(description)}` };
    case 'enum':
      return {
        path,
        message: `${quoted(error.data)} is not allowed: use one of ${(params.allowedValues as unknown[]).map((v) => String(v)).join(', ')}`,
      };
    case 'type':
      return {
        path,
        message: `must be ${params.type === 'array' || params.type === 'object' || params.type === 'integer' ? `an ${params.type}` : `a ${String(params.type)}`}, not ${typeOf(error.data)}`,
      };
    case 'maxItems':
      return {
        path,
        message: `has ${(error.data as unknown[]).length} entries; at most ${String(params.limit)} are allowed`,
      };
    case 'minItems':
      return {
        path,
        message: `has ${(error.data as unknown[]).length} entries; list at least ${String(params.limit)}${description ? ` (${lowerFirst(description)})` : ''}`,
      };
    case 'maxLength':
      return {
        path,
        message: `is ${(error.data as string).length} characters long; at most ${String(params.limit)} are allowed`,
      };
    case 'format':
      return { path, message: `${quoted(error.data)} is not a valid ${String(params.format)}` };
    default:
      return { path, message: `${error.message ?? 'is invalid'}${description ? ` (${lowerFirst(description)})` : ''}` };
  }
}
