import { CloudSettingsError, createCloud, parseCloudEndpoint, resolveCloudSettings } from './index';
import { credentialFor, parseClusterRoles } from './settings';

describe('resolveCloudSettings', () => {
  it('takes flags over the environment', () => {
    const env = {
      ALIBABA_CLOUD_REGION_ID: 'cn-beijing',
      ALIBABA_CLOUD_PROFILE: 'env-profile',
      ASMPVL_CLOUD_ENDPOINT: 'http://127.0.0.1:1',
    };
    expect(
      resolveCloudSettings(
        { region: 'cn-hangzhou', profile: 'flag-profile', cloudEndpoint: 'http://127.0.0.1:18080' },
        env,
      ),
    ).toEqual({
      region: 'cn-hangzhou',
      profile: 'flag-profile',
      cloudEndpoint: 'http://127.0.0.1:18080',
    });
    expect(resolveCloudSettings({}, env)).toEqual({
      region: 'cn-beijing',
      profile: 'env-profile',
      cloudEndpoint: 'http://127.0.0.1:1',
    });
  });

  it('asks for a region when there is none', () => {
    expect(() => resolveCloudSettings({ region: ' ' }, {})).toThrow(
      new CloudSettingsError('--region', 'no region: pass --region (e.g. cn-hangzhou) or set ALIBABA_CLOUD_REGION_ID'),
    );
  });
});

describe('parseCloudEndpoint', () => {
  it.each([
    ['http://127.0.0.1:18080', { endpoint: '127.0.0.1:18080', protocol: 'http' }],
    ['http://127.0.0.1:18080/', { endpoint: '127.0.0.1:18080', protocol: 'http' }],
    ['https://cloud.internal', { endpoint: 'cloud.internal', protocol: 'https' }],
    ['cloud.internal:8443', { endpoint: 'cloud.internal:8443', protocol: 'https' }],
  ])('%s', (value, expected) => {
    expect(parseCloudEndpoint(value)).toEqual(expected);
  });

  it.each([
    'ftp://127.0.0.1',
    'http://127.0.0.1:18080/api',
    'http://127.0.0.1:1?x=1',
    'http://user:pw@127.0.0.1',
    'http://',
  ])('refuses %s', (value) => {
    expect(() => parseCloudEndpoint(value)).toThrow(CloudSettingsError);
  });
});

describe('createCloud', () => {
  it('points every product at the cloud endpoint', () => {
    const cloud = createCloud({
      region: 'cn-hangzhou',
      cloudEndpoint: 'http://127.0.0.1:18080',
      credentials: { accessKeyId: 'a', accessKeySecret: 'b' },
    });
    expect(cloud.endpointOverride).toEqual({ endpoint: '127.0.0.1:18080', protocol: 'http' });
  });

  it('refuses an unbounded retry or a missing timeout', () => {
    expect(() => createCloud({ region: 'cn-hangzhou', retry: { maxAttempts: 0 } })).toThrow(
      'must be a whole number ≥ 1, got 0',
    );
    expect(() => createCloud({ region: 'cn-hangzhou', retry: { maxElapsedMs: Infinity } })).toThrow(
      'retry.maxElapsedMs',
    );
    expect(() => createCloud({ region: 'cn-hangzhou', timeouts: { readMs: 0 } })).toThrow('timeouts.readMs');
  });

  it('refuses a region that is not a region id', () => {
    expect(() => createCloud({ region: 'Hangzhou' })).toThrow(
      new CloudSettingsError('--region', '"Hangzhou" is not a region id (like cn-hangzhou or ap-southeast-1)'),
    );
  });
});

describe('credentials', () => {
  it('signs with explicit keys, with an STS token when given', async () => {
    expect(
      await credentialFor({ credentials: { accessKeyId: 'id', accessKeySecret: 'secret' } }).getCredential(),
    ).toMatchObject({
      accessKeyId: 'id',
      accessKeySecret: 'secret',
      type: 'access_key',
    });
    expect(
      await credentialFor({
        credentials: { accessKeyId: 'id', accessKeySecret: 'secret', securityToken: 'sts' },
      }).getCredential(),
    ).toMatchObject({
      securityToken: 'sts',
      type: 'sts',
    });
  });

  it('uses the named CLI profile', () => {
    expect(credentialFor({ profile: 'asm' }).getType()).toBe('cli_profile');
  });

  it('uses the default chain otherwise', () => {
    expect(credentialFor({}).getType()).toBe('default');
  });
});

it('a call without any credential fails with CredentialsUnavailable, before anything is sent', async () => {
  const cloud = createCloud({
    region: 'cn-hangzhou',
    cloudEndpoint: 'http://127.0.0.1:1',
    profile: 'no-such-profile',
    retry: { maxAttempts: 1 },
  });
  const error = await cloud.privateLink.account.checkProductOpen().catch((thrown: unknown) => thrown);
  expect(error).toMatchObject({ code: 'CredentialsUnavailable', retryable: false, notSent: true });
});

describe('cluster roles', () => {
  const ARN = 'acs:ram::1300000000000002:role/asmpvl-cluster';

  test('come from --cluster-role pairs, else from ASMPVL_CLUSTER_ROLES', () => {
    expect(resolveCloudSettings({ region: 'cn-hangzhou', clusterRoles: [`c1=${ARN}`] }, {}).clusterRoles).toEqual({
      c1: ARN,
    });
    expect(
      resolveCloudSettings({ region: 'cn-hangzhou' }, { ASMPVL_CLUSTER_ROLES: `c1=${ARN}, c2=${ARN}` }).clusterRoles,
    ).toEqual({ c1: ARN, c2: ARN });
    expect(resolveCloudSettings({ region: 'cn-hangzhou' }, {}).clusterRoles).toBeUndefined();
  });

  test('a malformed pair, an ARN that is not a role, or two roles for one cluster are refused by name', () => {
    expect(() => parseClusterRoles(['c1'], '--cluster-role')).toThrow('expected <cluster-id>=<role-arn>');
    expect(() => parseClusterRoles(['c1=acs:ram::1:user/x'], '--cluster-role')).toThrow('is not a RAM role ARN');
    expect(() => parseClusterRoles([`c1=${ARN}`, 'c1=acs:ram::9:role/y'], '--cluster-role')).toThrow(
      'cluster c1 is given two roles',
    );
  });
});
