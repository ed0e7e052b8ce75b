// Unit tests sit beside the code they prove; end-to-end tests live under test/e2e and need the
// real API server the harness builds (see test/e2e/README.md).
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2023' }, module: { type: 'commonjs' } }] };
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/{core,engine,plugin,controller,webhook,test/emulator,schemas,scripts}/**/*.test.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
      // One API server for the whole run, shared by every e2e file (test/e2e/README.md).
      globalSetup: '<rootDir>/test/e2e/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/e2e/harness/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/e2e/harness/jest-setup.ts'],
    },
    {
      // Fault and abuse suites (npm run test:chaos): bounded in time, same shared API server as e2e.
      displayName: 'chaos',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/chaos/**/*.chaos.test.ts'],
      globalSetup: '<rootDir>/test/e2e/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/e2e/harness/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/e2e/harness/jest-setup.ts'],
    },
    {
      // The chart installed in a one-node cluster inside a sealed network namespace (npm run
      // test:cluster; root only; see test/cluster/README.md). Its own harness, no shared API server.
      displayName: 'cluster',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/cluster/**/*.cluster.test.ts'],
    },
  ],
};
