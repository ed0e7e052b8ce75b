import type { Finding, ValidationResult, ZonePolicy } from './findings';
import type { JsonPatchOperation } from './json-patch';
import { normalizeConfig } from './normalize';
import { checkRules } from './rules';
import { schemaFindings } from './schema';
import { checkSpecAnnotations } from './annotations';
import { EXHAUSTIVE_SCHEMA_VALUES, judgedView, measureShape } from './shape';

export interface ValidateOptions {
  /** `overlap` (default): an unpaired vSwitch is a warning. `strict`: every vSwitch must pair. */
  zonePolicy?: ZonePolicy;
}

function internalError(error: unknown): Finding {
  return {
    path: '',
    message: `internal error while validating (please report it): ${error instanceof Error ? error.message : String(error)}`,
  };
}

/**
 * Validates one ASMPvlConfig as it stands: everything the schema forbids plus the rules a schema
 * cannot say (name, zone pairing, one region, no duplicate clusters or vSwitches). Reads only the
 * judged view (metadata.name, not managedFields), refuses hostile depth or size with one finding, and
 * never throws.
 */
export function validateConfig(object: unknown, options: ValidateOptions = {}): ValidationResult {
  try {
    const view = judgedView(object);
    const shape = measureShape(view);
    if (shape.problem !== undefined) return { errors: [shape.problem], warnings: [] };
    const rules = checkRules(view, options.zonePolicy ?? 'overlap');
    const schema = schemaFindings(view, shape.values <= EXHAUSTIVE_SCHEMA_VALUES ? 'all' : 'first');
    return { errors: [...checkSpecAnnotations(object), ...schema, ...rules.errors], warnings: rules.warnings };
  } catch (error) {
    return { errors: [internalError(error)], warnings: [] };
  }
}

export interface CheckResult extends ValidationResult {
  /** The object after defaulting and normalisation: what the API server would store. */
  object: unknown;
  /** The JSON Patch from the given object to `object`. */
  patch: JsonPatchOperation[];
}

/** What admission does to an object: normalise (mutating webhook), then validate the result. */
export function checkConfig(object: unknown, options: ValidateOptions = {}): CheckResult {
  try {
    const normalized = normalizeConfig(object);
    const result = validateConfig(normalized.object, options);
    return {
      object: normalized.object,
      patch: normalized.patch,
      errors: result.errors,
      warnings: [...normalized.warnings, ...result.warnings],
    };
  } catch (error) {
    return { object, patch: [], errors: [internalError(error)], warnings: [] };
  }
}
