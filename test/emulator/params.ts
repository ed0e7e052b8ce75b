// RPC request parameters: the flattened key/value pairs of the query and the form body
// (`Tag.1.Key`, `Zone.2.VSwitchId`, `SecurityGroupId.1`), read with the checks the cloud applies:
// a required one that is absent is `MissingParam.<Name>`, a malformed one `IllegalParamFormat.<Name>`.
import { dryRunPassed, illegalParam, missingParam } from './errors';

export interface Tag {
  key: string;
  value: string;
}

const MAX_TAGS = 20;

/** Read access to one request's parameters with the cloud's checks. */
export class RpcParams {
  private readonly values: Map<string, string>;

  constructor(entries: Iterable<[string, string]>) {
    this.values = new Map(entries);
  }

  /** All parameters, for logs and idempotency fingerprints. */
  entries(): Array<[string, string]> {
    return [...this.values];
  }

  /** The value as sent, unchecked (for logs). */
  raw(name: string): string | undefined {
    return this.values.get(name);
  }

  has(name: string): boolean {
    return this.values.has(name) && this.values.get(name) !== '';
  }

  optionalString(
    name: string,
    options: { maxLength?: number; pattern?: RegExp; hint?: string } = {},
  ): string | undefined {
    const value = this.values.get(name);
    if (value === undefined || value === '') return undefined;
    if (options.maxLength !== undefined && value.length > options.maxLength)
      throw illegalParam(name, `at most ${options.maxLength} characters`);
    if (options.pattern && !options.pattern.test(value))
      throw illegalParam(name, options.hint ?? `does not match ${options.pattern}`);
    return value;
  }

  requiredString(name: string, options: { maxLength?: number; pattern?: RegExp; hint?: string } = {}): string {
    const value = this.optionalString(name, options);
    if (value === undefined) throw missingParam(name);
    return value;
  }

  optionalEnum<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.optionalString(name);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) throw illegalParam(name, `one of ${allowed.join(', ')}`);
    return value as T;
  }

  optionalBoolean(name: string): boolean | undefined {
    const value = this.optionalString(name);
    if (value === undefined) return undefined;
    if (value === 'true') return true;
    if (value === 'false') return false;
    throw illegalParam(name, 'true or false');
  }

  optionalInteger(name: string, range: { min: number; max: number }): number | undefined {
    const value = this.optionalString(name);
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value)) throw illegalParam(name, `an integer from ${range.min} to ${range.max}`);
    const number = Number(value);
    if (number < range.min || number > range.max)
      throw illegalParam(name, `an integer from ${range.min} to ${range.max}`);
    return number;
  }

  /** `Name.1`, `Name.2`, ... in index order; the indices must be 1..N without gaps. */
  repeatList(name: string, options: { max: number; pattern?: RegExp; hint?: string }): string[] {
    const indexed = this.indexed(name, /^(\d+)$/);
    const values: string[] = [];
    for (const [index, rest] of indexed) {
      const value = this.values.get(`${name}.${index}${rest}`)!;
      if (options.pattern && !options.pattern.test(value))
        throw illegalParam(`${name}.${index}`, options.hint ?? `does not match ${options.pattern}`);
      values.push(value);
    }
    if (values.length > options.max) throw illegalParam(name, `at most ${options.max} items`);
    return values;
  }

  /** `Name.N.Field` objects in index order, each as a field → value map. */
  repeatObjects(name: string, options: { max: number }): Array<{ index: number; fields: Map<string, string> }> {
    const objects = new Map<number, Map<string, string>>();
    const prefix = `${name}.`;
    for (const [key, value] of this.values) {
      if (!key.startsWith(prefix)) continue;
      const match = /^(\d+)\.(.+)$/.exec(key.slice(prefix.length));
      if (!match) throw illegalParam(key, `expected ${name}.N.Field`);
      const index = Number(match[1]);
      if (index < 1) throw illegalParam(key, 'indices start at 1');
      if (!objects.has(index)) objects.set(index, new Map());
      objects.get(index)!.set(match[2]!, value);
    }
    const sorted = [...objects.entries()].sort(([a], [b]) => a - b);
    if (sorted.length > options.max) throw illegalParam(name, `at most ${options.max} items`);
    return sorted.map(([index, fields]) => ({ index, fields }));
  }

  /** `Tag.N.Key` / `Tag.N.Value`; a value without a key is refused. */
  tags(name = 'Tag'): Tag[] {
    const tags: Tag[] = [];
    for (const { index, fields } of this.repeatObjects(name, { max: MAX_TAGS })) {
      const key = fields.get('Key');
      if (key === undefined || key === '') throw missingParam(`${name}.${index}.Key`);
      if (key.length > 128 || /^(aliyun|acs:)/i.test(key) || /^https?:\/\//i.test(key)) {
        throw illegalParam(
          `${name}.${index}.Key`,
          'at most 128 characters, not starting with aliyun, acs:, http:// or https://',
        );
      }
      const value = fields.get('Value') ?? '';
      if (value.length > 128 || /^(aliyun|acs:)/i.test(value) || /^https?:\/\//i.test(value)) {
        throw illegalParam(
          `${name}.${index}.Value`,
          'at most 128 characters, not starting with aliyun, acs:, http:// or https://',
        );
      }
      tags.push({ key, value });
    }
    return tags;
  }

  /** A passing DryRun answers DryRunOperation instead of acting; call after all checks. */
  endDryRun(): void {
    if (this.optionalBoolean('DryRun') === true) throw dryRunPassed();
  }

  private indexed(name: string, restPattern: RegExp): Array<[number, string]> {
    const prefix = `${name}.`;
    const found: Array<[number, string]> = [];
    for (const key of this.values.keys()) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      if (!restPattern.test(rest)) throw illegalParam(key, `expected ${name}.N`);
      found.push([Number(rest), '']);
    }
    found.sort(([a], [b]) => a - b);
    found.forEach(([index], position) => {
      if (index !== position + 1) throw illegalParam(`${name}.${index}`, `indices must run 1..N without gaps`);
    });
    return found;
  }
}
