import { createServer, type AddressInfo, type Server } from 'node:net';

/** Ports the kernel reports free right now on 127.0.0.1; all held open together so none repeats. */
export async function freePorts(count: number): Promise<number[]> {
  const listeners = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const listener = createServer();
          listener.once('error', reject);
          listener.listen(0, '127.0.0.1', () => resolve(listener));
        }),
    ),
  );
  const ports = listeners.map((listener) => (listener.address() as AddressInfo).port);
  await Promise.all(listeners.map((listener) => new Promise((resolve) => listener.close(resolve))));
  return ports;
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}
