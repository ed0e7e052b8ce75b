/** A Cloud pointed at a local server, with test credentials and an instant clock. */
import { type Cloud, createCloud } from '../index';
import type { CloudSettings } from '../settings';
import { fakeClock } from '../../testing/fake-clock';

export const testCredentials = { accessKeyId: 'LTAI5tTestAccessKeyId', accessKeySecret: 'test-secret' };

export function cloudAt(url: string, settings: Partial<CloudSettings> = {}): Cloud {
  return createCloud({
    region: 'cn-hangzhou',
    cloudEndpoint: url,
    credentials: testCredentials,
    clock: fakeClock(),
    timeouts: { connectMs: 2_000, readMs: 2_000 },
    ...settings,
  });
}
