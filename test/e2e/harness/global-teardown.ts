import { takeCluster } from './global-setup';

/** Jest global teardown of the e2e project: stops the shared API server and deletes its files. */
export default async function globalTeardown(): Promise<void> {
  const { cluster, handlers } = takeCluster();
  for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  await cluster?.stop();
}
