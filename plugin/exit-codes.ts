/**
 * What `kubectl asmpvl` exit codes mean (documented in the README).
 * 0: done, or every object valid / every link Available.
 * 1: something is invalid, failed, or not yet Available.
 * 2: the command line or an input could not be used (unknown flag, unreadable file, unparsable YAML).
 */
export const ExitCode = {
  Ok: 0,
  Failed: 1,
  Usage: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
