import { CloudSettingsError, describeCloudTarget, isLoopbackHost, resolveCloudSettings } from './settings';

const resolve = (cloudEndpoint: string, allowInsecureCloudEndpoint?: boolean, env: NodeJS.ProcessEnv = {}) =>
  resolveCloudSettings({ region: 'cn-hangzhou', cloudEndpoint, allowInsecureCloudEndpoint }, env);

describe('credentials never travel in clear text to a host the user did not knowingly choose', () => {
  test.each(['http://10.0.0.5:8080', 'http://ecs.example.com', 'http://127.example.com', 'HTTP://[2001:db8::1]:80'])(
    '%s is refused, naming the flag that allows it',
    (endpoint) => {
      expect(() => resolve(endpoint)).toThrow(CloudSettingsError);
      expect(() => resolve(endpoint)).toThrow(/plain HTTP to .*--allow-insecure-cloud-endpoint/);
    },
  );

  test('ASMPVL_CLOUD_ENDPOINT is held to the same rule', () => {
    expect(() =>
      resolveCloudSettings({ region: 'cn-hangzhou' }, { ASMPVL_CLOUD_ENDPOINT: 'http://192.168.1.9:18080' }),
    ).toThrow(/clear text/);
  });

  test.each(['http://127.0.0.1:18080', 'http://127.1.2.3:1', 'http://localhost:18080', 'http://[::1]:18080'])(
    'loopback over HTTP is fine: %s',
    (endpoint) => {
      expect(resolve(endpoint).cloudEndpoint).toBe(endpoint);
    },
  );

  test('https anywhere, and http anywhere with the flag', () => {
    expect(resolve('https://vpc.example.com').cloudEndpoint).toBe('https://vpc.example.com');
    expect(resolve('http://10.0.0.5:8080', true).cloudEndpoint).toBe('http://10.0.0.5:8080');
  });

  test('loopback means 127.0.0.0/8, ::1 and localhost only', () => {
    expect(['127.0.0.1', '127.255.0.9', '[::1]', 'LOCALHOST'].every(isLoopbackHost)).toBe(true);
    expect(['128.0.0.1', '127.0.0.1.nip.io', 'localhost.example.com', '::2'].some(isLoopbackHost)).toBe(false);
  });

  test('where cloud calls go, in words', () => {
    expect(describeCloudTarget({ region: 'cn-hangzhou' })).toBe(
      'cloud calls go to the public Alibaba Cloud endpoints of cn-hangzhou over HTTPS',
    );
    expect(describeCloudTarget({ region: 'cn-hangzhou', cloudEndpoint: 'http://127.0.0.1:18080' })).toBe(
      'cloud calls go to http://127.0.0.1:18080 (plain HTTP: credentials in clear text), set by --cloud-endpoint or ASMPVL_CLOUD_ENDPOINT',
    );
  });
});
