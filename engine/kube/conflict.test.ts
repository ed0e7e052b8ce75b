import { KubeError } from './errors';
import { CONFLICT_RETRIES, retryOnConflict } from './conflict';

const SERVER = 'https://127.0.0.1:6443';
const apiError = (code: number, message = 'the object has been modified') =>
  Object.assign(new Error(message), { code, body: JSON.stringify({ message, reason: 'Conflict' }) });

describe('retryOnConflict', () => {
  test('a write that meets a concurrent one is tried again, reading afresh, until it goes through', async () => {
    let tries = 0;
    const result = await retryOnConflict('writing', SERVER, async () => {
      tries += 1;
      if (tries < 3) throw apiError(409);
      return 'written';
    });
    expect(result).toBe('written');
    expect(tries).toBe(3);
  });

  test(`after ${CONFLICT_RETRIES} conflicts it gives up with a KubeError saying what was being done`, async () => {
    let tries = 0;
    const failure = retryOnConflict('writing the status of asmpvlconfig/default', SERVER, async () => {
      tries += 1;
      throw apiError(409);
    });
    await expect(failure).rejects.toBeInstanceOf(KubeError);
    await expect(failure).rejects.toThrow('writing the status of asmpvlconfig/default');
    expect(tries).toBe(CONFLICT_RETRIES);
  });

  test("another API answer is not retried and is worded; the caller's own error passes unchanged", async () => {
    let tries = 0;
    await expect(
      retryOnConflict('updating asmpvlconfig/default', SERVER, async () => {
        tries += 1;
        throw apiError(422, 'spec.ackVpcEndpoint: Too many');
      }),
    ).rejects.toBeInstanceOf(KubeError);
    expect(tries).toBe(1);
    const own = new Error('the edit refused: cluster c1 is not in the spec');
    await expect(
      retryOnConflict('updating asmpvlconfig/default', SERVER, async () => {
        throw own;
      }),
    ).rejects.toBe(own);
  });
});
