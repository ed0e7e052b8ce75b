import { AssumedRoleCredentials } from './accounts';
import type { RoleCredentials, StsClient } from './sts';

const ROLE = 'acs:ram::1300000000000002:role/asmpvl-cluster';

function stubSts(expiresAt: () => number) {
  const calls: Array<{ roleArn: string; roleSessionName: string; durationSeconds?: number }> = [];
  const sts = {
    assumeRole: async (request: { roleArn: string; roleSessionName: string; durationSeconds?: number }) => {
      calls.push(request);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const credentials: RoleCredentials = {
        accessKeyId: `STS.${calls.length}`,
        accessKeySecret: 'secret',
        securityToken: `token-${calls.length}`,
        expiration: new Date(expiresAt()).toISOString(),
      };
      return credentials;
    },
  } as unknown as StsClient;
  return { sts, calls };
}

test('assumes the role once for calls at once and after, until five minutes before the session ends', async () => {
  let now = Date.UTC(2026, 0, 1);
  const { sts, calls } = stubSts(() => now + 3_600_000);
  const provider = new AssumedRoleCredentials(sts, ROLE, () => now);
  const first = await Promise.all([provider.getCredentials(), provider.getCredentials(), provider.getCredentials()]);
  expect(first.map((credentials) => credentials.accessKeyId)).toEqual(['STS.1', 'STS.1', 'STS.1']);
  expect(calls).toEqual([{ roleArn: ROLE, roleSessionName: 'asmpvl', durationSeconds: 3600 }]);
  now += 54 * 60_000;
  expect((await provider.getCredentials()).accessKeyId).toBe('STS.1');
  now += 2 * 60_000;
  expect(await provider.getCredentials()).toMatchObject({
    accessKeyId: 'STS.2',
    securityToken: 'token-2',
    providerName: 'asmpvl_assumed_role',
  });
  expect(calls).toHaveLength(2);
});

test('a failed AssumeRole is not kept: the next call asks again', async () => {
  let fail = true;
  const sts = {
    assumeRole: async () => {
      if (fail) throw new Error('NoPermission');
      return { accessKeyId: 'STS.ok', accessKeySecret: 's', securityToken: 't', expiration: '2099-01-01T00:00:00Z' };
    },
  } as unknown as StsClient;
  const provider = new AssumedRoleCredentials(sts, ROLE);
  await expect(provider.getCredentials()).rejects.toThrow('NoPermission');
  fail = false;
  expect((await provider.getCredentials()).accessKeyId).toBe('STS.ok');
});
