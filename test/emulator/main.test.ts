// The command-line entry point, as `npm run emulator` starts it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sdkClients } from './testing/sdk';
import type { RunningEmulator } from './index';

const ROOT = join(__dirname, '..', '..');

function startCli(args: string[]): { child: ChildProcess; firstLine: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/emulator/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = createInterface({ input: child.stdout });
  const firstLine = new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return { child, firstLine };
}

describe('npm run emulator', () => {
  it('listens, announces its endpoint and credentials, applies fault flags and stops on SIGTERM', async () => {
    const { child, firstLine } = startCli([
      '--port',
      '0',
      '--delay-ms',
      '10',
      '--throttle-rate',
      '1',
      '--fault-actions',
      'DescribeRegions',
    ]);
    try {
      const announced = JSON.parse(await firstLine);
      expect(announced).toMatchObject({
        endpoint: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
        regionId: 'cn-hangzhou',
        accessKeyId: expect.any(String),
        accessKeySecret: expect.any(String),
      });
      const emulator = {
        endpoint: announced.endpoint,
        regionId: announced.regionId,
        credentials: { accessKeyId: announced.accessKeyId, accessKeySecret: announced.accessKeySecret },
      } as RunningEmulator;
      const clients = sdkClients(emulator);
      expect((await clients.privateLink('DescribeZones')).Zones.Zone).toHaveLength(3);
      const throttled = await clients.privateLink('DescribeRegions').catch((error: { code: string }) => error.code);
      expect(throttled).toBe('Throttling.User');
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  }, 20000);

  it('refuses a bad flag with its usage and exit code 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/emulator/main.ts', '--throttle-rate', 'lots'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('--throttle-rate wants a number, got "lots"');
    expect(stderr).toContain('usage: npm run emulator');
  }, 20000);
});
