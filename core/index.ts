/** The validation core: one module, imported unchanged by the webhook and the plugin. */
export * from './annotations';
export * from './findings';
export * from './json-patch';
export * from './normalize';
export { judgedView, MAX_OBJECT_DEPTH, MAX_OBJECT_VALUES, measureShape, shapeProblem } from './shape';
export { NAME_RULE_MESSAGE } from './rules';
export { API_GROUP, API_VERSION, asmPvlConfigSchema, KIND, PLURAL, SINGLETON_NAME } from './schema';
export * from './validate';
export * from './zones';
export type * from './generated/asmpvlconfig';

import type { ASMPvlConfig } from './generated/asmpvlconfig';
/** The status subresource of an ASMPvlConfig. */
export type AsmPvlStatus = NonNullable<ASMPvlConfig['status']>;
