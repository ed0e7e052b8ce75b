// npm run emulator -- --port 18080 --world test/emulator/worlds/two-clusters.json [--delay-ms 200]
//   [--throttle-rate 0.1] [--server-error-rate 0.05] [--server-error-code InternalError]
//   [--latency-ms 50] [--hang-rate 0.01] [--fault-actions CreateVpcEndpoint,DescribeZones]
//   [--drop-response-once CreateVpcEndpoint] [--fail-cluster-tasks 1] [--rate-limit CreateVpcEndpoint=2 --rate-limit '*=20']
//   [--seed 7]
// Prints one JSON line with the endpoint and credentials once it listens; stops on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { uniformDelays, type EmulatorDelays } from './delays';
import type { EmulatorFaults } from './faults';
import { startEmulator, TWO_CLUSTERS_WORLD } from './index';
import type { RateLimits } from './rate-limits';

const USAGE = `usage: npm run emulator -- [--port N] [--host H] [--world FILE] [--delay-ms N] [--delays JSON]
  [--throttle-rate R] [--throttle-code CODE] [--server-error-rate R] [--server-error-code ServiceUnavailable|InternalError]
  [--latency-ms N] [--hang-rate R] [--fault-actions A,B] [--drop-response-once A,B] [--fault-seed N] [--fail-cluster-tasks N]
  [--rate-limit ACTION=PER_SECOND]... [--seed N]
See test/emulator/README.md.`;

class UsageError extends Error {}

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new UsageError(`--${name} wants a number, got "${value}"`);
  return parsed;
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
}

function readOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '18080' },
      host: { type: 'string', default: '127.0.0.1' },
      world: { type: 'string', default: TWO_CLUSTERS_WORLD },
      'delay-ms': { type: 'string' },
      delays: { type: 'string' },
      'throttle-rate': { type: 'string' },
      'throttle-code': { type: 'string' },
      'server-error-rate': { type: 'string' },
      'server-error-code': { type: 'string' },
      'latency-ms': { type: 'string' },
      'hang-rate': { type: 'string' },
      'fault-actions': { type: 'string' },
      'drop-response-once': { type: 'string' },
      'fault-seed': { type: 'string' },
      'fail-cluster-tasks': { type: 'string' },
      'rate-limit': { type: 'string', multiple: true },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const uniform = number('delay-ms', values['delay-ms']);
  let delays: Partial<EmulatorDelays> = uniform === undefined ? {} : uniformDelays(uniform);
  if (values.delays !== undefined) {
    try {
      delays = { ...delays, ...(JSON.parse(values.delays) as Partial<EmulatorDelays>) };
    } catch {
      throw new UsageError(`--delays wants JSON like '{"endpointCreateMs":500}', got ${values.delays}`);
    }
  }
  const faults: EmulatorFaults = {
    throttleRate: number('throttle-rate', values['throttle-rate']),
    throttleCode: values['throttle-code'],
    serverErrorRate: number('server-error-rate', values['server-error-rate']),
    serverErrorCode: values['server-error-code'] as EmulatorFaults['serverErrorCode'],
    latencyMs: number('latency-ms', values['latency-ms']),
    hangRate: number('hang-rate', values['hang-rate']),
    actions: list(values['fault-actions']),
    dropResponseOnce: list(values['drop-response-once']),
    seed: number('fault-seed', values['fault-seed']),
    failClusterTasks: number('fail-cluster-tasks', values['fail-cluster-tasks']),
  };
  const rateLimits: RateLimits = {};
  for (const entry of values['rate-limit'] ?? []) {
    const match = /^([^=]+)=(\d+(\.\d+)?)$/.exec(entry);
    if (!match) throw new UsageError(`--rate-limit wants ACTION=PER_SECOND, got "${entry}"`);
    rateLimits[match[1]!] = Number(match[2]);
  }
  return {
    port: number('port', values.port) ?? 18080,
    host: values.host ?? '127.0.0.1',
    world: values.world ?? TWO_CLUSTERS_WORLD,
    delays,
    faults: Object.fromEntries(Object.entries(faults).filter(([, value]) => value !== undefined)) as EmulatorFaults,
    rateLimits,
    seed: number('seed', values.seed),
  };
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  const emulator = await startEmulator(options);
  process.stdout.write(
    `${JSON.stringify({ listening: emulator.url, endpoint: emulator.endpoint, regionId: emulator.regionId, world: options.world, ...emulator.credentials })}\n`,
  );
  const stop = () => {
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`emulator: ${message}\n${error instanceof UsageError ? `${USAGE}\n` : ''}`);
  process.exit(2);
});
