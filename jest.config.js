/** Unit specs sit beside the code; end-to-end specs in test/ run against real Redis and PostgreSQL. */
const path = require('path');

const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.spec.json') }] },
  testEnvironment: 'node',
  // Every project sees the clock package's source, built or not.
  moduleNameMapper: {
    '^@synckairos/clock$': path.join(__dirname, 'packages/clock/src/index.ts'),
    '^@synckairos/clock/testing$': path.join(__dirname, 'packages/clock/src/testing.ts'),
  },
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', rootDir: 'src', testRegex: '.*\\.spec\\.ts$' },
    { ...common, displayName: 'clock', rootDir: 'packages/clock/src', testRegex: '.*\\.spec\\.ts$' },
    {
      ...common,
      displayName: 'client',
      rootDir: 'packages/client/src',
      testRegex: '.*\\.spec\\.ts$',
      transform: {
        '^.+\\.ts$': [
          'ts-jest',
          { tsconfig: path.join(__dirname, 'packages/client/tsconfig.spec.json') },
        ],
      },
    },
    {
      ...common,
      displayName: 'e2e',
      rootDir: '.',
      testRegex: 'test/.*\\.e2e-spec\\.ts$',
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      setupFiles: ['<rootDir>/test/setup/env.ts'],
    },
  ],
  testTimeout: 30000,
  // A full in-band run has ended with a handle open since the cluster and Sentinel suites came
  // (not found in them alone, nor with --detectOpenHandles on a subset): end the run when the
  // tests are done. The service's own shutdown is checked by test/shutdown.e2e-spec.ts.
  forceExit: true,
  collectCoverageFrom: [
    '<rootDir>/src/**/*.ts',
    '<rootDir>/packages/clock/src/**/*.ts',
    '!<rootDir>/packages/clock/src/**/*.spec.ts',
    '!<rootDir>/packages/clock/src/**/*.fixtures.ts',
    '<rootDir>/packages/client/src/**/*.ts',
    '!<rootDir>/packages/client/src/**/*.spec.ts',
    '!<rootDir>/src/**/*.spec.ts',
    '!<rootDir>/src/**/*.fixtures.ts',
  ],
  coverageDirectory: '<rootDir>/coverage',
};
