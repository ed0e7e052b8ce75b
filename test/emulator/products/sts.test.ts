import { Emulator } from '../emulator';
import { startEmulator, type RunningEmulator } from '../index';
import { listen, type ListeningServer } from '../server';
import { sdkClients } from '../testing/sdk';
import { crossAccountWorld, CROSS_ACCOUNT } from '../testing/worlds';
import type { World } from '../world';

const { mesh: A, clusters: B } = CROSS_ACCOUNT;

async function failure(call: Promise<unknown>): Promise<{ code: string; statusCode: number; message: string }> {
  try {
    await call;
  } catch (error) {
    return error as { code: string; statusCode: number; message: string };
  }
  throw new Error('the call succeeded');
}

describe('STS AssumeRole across accounts', () => {
  let emulator: RunningEmulator;
  let world: World;
  const clusterOf = (index: number) => world.clusters[index]!.clusterId;

  beforeAll(async () => {
    world = crossAccountWorld(['B', 'C']);
    emulator = await startEmulator({ world, seed: 11 });
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.reset());

  const assume = (roleArn: string, extra: Record<string, unknown> = {}) =>
    sdkClients(emulator).rpc('sts', 'AssumeRole', { RoleArn: roleArn, RoleSessionName: 'asmpvl', ...extra });

  it("hands out credentials that act as the role's account, seeing its clusters and no other account's", async () => {
    const answer = await assume(B.roleArn);
    expect(answer).toMatchObject({
      AssumedRoleUser: { Arn: `acs:ram::${B.accountId}:role/asmpvl-cluster/asmpvl` },
      Credentials: {
        AccessKeyId: expect.stringMatching(/^STS\./),
        SecurityToken: expect.stringMatching(/^CAIS/),
        Expiration: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      },
    });
    const credentials = {
      accessKeyId: answer.Credentials.AccessKeyId,
      accessKeySecret: answer.Credentials.AccessKeySecret,
      securityToken: answer.Credentials.SecurityToken,
    };
    const asB = sdkClients(emulator, credentials);
    expect(await asB.rpc('sts', 'GetCallerIdentity')).toMatchObject({
      AccountId: B.accountId,
      IdentityType: 'AssumedRoleUser',
      Arn: `acs:ram::${B.accountId}:role/asmpvl-cluster/asmpvl`,
    });
    expect((await asB.cs.describeClusterDetail(clusterOf(0))).body?.clusterId).toBe(clusterOf(0));
    // Cluster 2 is account C's, and the mesh account A's own credentials see neither cluster.
    expect((await failure(asB.cs.describeClusterDetail(clusterOf(1)))).code).toBe('ErrorClusterNotFound');
    expect((await failure(sdkClients(emulator).cs.describeClusterDetail(clusterOf(0)))).code).toBe(
      'ErrorClusterNotFound',
    );
    expect(await sdkClients(emulator).rpc('sts', 'GetCallerIdentity')).toMatchObject({
      AccountId: A.accountId,
      IdentityType: 'Account',
      Arn: `acs:ram::${A.accountId}:root`,
    });
  });

  it('refuses a role that does not trust the caller, a role that does not exist and a session too long', async () => {
    // B's role trusts A only: B's own credentials may not assume C's role.
    const fromB = await assume(B.roleArn);
    const asB = sdkClients(emulator, {
      accessKeyId: fromB.Credentials.AccessKeyId,
      accessKeySecret: fromB.Credentials.AccessKeySecret,
      securityToken: fromB.Credentials.SecurityToken,
    });
    const untrusted = await failure(
      asB.rpc('sts', 'AssumeRole', { RoleArn: CROSS_ACCOUNT.third.roleArn, RoleSessionName: 'hop' }),
    );
    expect([untrusted.code, untrusted.statusCode]).toEqual(['NoPermission', 403]);
    const missing = await failure(assume(`acs:ram::${B.accountId}:role/nobody`));
    expect([missing.code, missing.statusCode]).toEqual(['EntityNotExist.Role', 404]);
    expect((await failure(assume('arn:aws:iam::1:role/x'))).code).toBe('InvalidParameter.RoleArn');
    expect((await failure(assume(B.roleArn, { DurationSeconds: 7200 }))).code).toBe('InvalidParameter.DurationSeconds');
    expect((await failure(assume(B.roleArn, { RoleSessionName: 'a b' }))).code).toBe(
      'InvalidParameter.RoleSessionName',
    );
  });

  it("judges sts:AssumeRole by the caller's own RAM policy, on the role's ARN", async () => {
    emulator.setPolicy(emulator.credentials.accessKeyId, {
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: CROSS_ACCOUNT.third.roleArn }],
    });
    const denied = await failure(assume(B.roleArn));
    expect([denied.code, denied.statusCode]).toEqual(['Forbidden.RAM', 403]);
    expect((await assume(CROSS_ACCOUNT.third.roleArn)).Credentials.AccessKeyId).toMatch(/^STS\./);
    // GetCallerIdentity needs no permission.
    expect((await sdkClients(emulator).rpc('sts', 'GetCallerIdentity')).AccountId).toBe(A.accountId);
  });
});

describe('STS credentials expire', () => {
  let emulator: Emulator;
  let server: ListeningServer;
  beforeAll(async () => {
    emulator = new Emulator({ world: crossAccountWorld(['B', 'B']), seed: 3 });
    server = await listen(emulator, '127.0.0.1', 0);
  });
  afterAll(() => server.close());

  it('answers InvalidSecurityToken.Expired once the session is over', async () => {
    const running = {
      endpoint: `127.0.0.1:${server.port}`,
      regionId: emulator.world.regionId,
      credentials: emulator.world.accounts[0]!.accessKeys[0]!,
    } as unknown as RunningEmulator;
    const answer = await sdkClients(running).rpc('sts', 'AssumeRole', {
      RoleArn: B.roleArn,
      RoleSessionName: 'short',
      DurationSeconds: 900,
    });
    const credentials = {
      accessKeyId: answer.Credentials.AccessKeyId,
      accessKeySecret: answer.Credentials.AccessKeySecret,
      securityToken: answer.Credentials.SecurityToken,
    };
    const asB = sdkClients(running, credentials);
    expect((await asB.rpc('sts', 'GetCallerIdentity')).AccountId).toBe(B.accountId);
    // The session's end, as the issuer recorded it, passes (a clock jump would fail the request's date first).
    emulator.runtime.cloud.stsCredentials.get(credentials.accessKeyId)!.expiresAt = Date.now() - 1;
    expect((await failure(asB.rpc('sts', 'GetCallerIdentity'))).code).toBe('InvalidSecurityToken.Expired');
  });
});
