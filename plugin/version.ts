declare const ASMPVL_VERSION: string | undefined;

/** The version of this build: stamped in by the bundler, read from package.json when run from source. */
export function pluginVersion(): string {
  if (typeof ASMPVL_VERSION === 'string') return ASMPVL_VERSION;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- only when run from source, where package.json sits beside
  return (require('../package.json') as { version: string }).version;
}
