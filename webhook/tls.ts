import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** Reads the serving certificate and key, and proves they form a usable pair before anyone serves them. */
export function loadTls(files: TlsFiles): SecureContextOptions {
  const options = { cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) };
  createSecureContext(options); // throws on unparsable PEM or a key that does not match the certificate
  return options;
}

/**
 * Calls `onChange` with the new certificate and key whenever either file changes. Polls the files'
 * stat, which follows symlinks: kubelet updates a mounted Secret by swapping a `..data` symlink, which
 * inotify on the file itself would miss. A half-written or mismatched pair is reported and skipped;
 * the previous pair keeps serving.
 */
export function watchTls(
  files: TlsFiles,
  intervalMs: number,
  onChange: (options: SecureContextOptions) => void,
  onError: (error: Error) => void,
): () => void {
  const reload = () => {
    try {
      onChange(loadTls(files));
    } catch (error) {
      onError(error as Error);
    }
  };
  watchFile(files.certFile, { interval: intervalMs, persistent: false }, reload);
  watchFile(files.keyFile, { interval: intervalMs, persistent: false }, reload);
  return () => {
    unwatchFile(files.certFile, reload);
    unwatchFile(files.keyFile, reload);
  };
}
