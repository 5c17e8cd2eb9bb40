/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  // Integration tests spawn redis-server and local servers; two cores do not like many at once.
  maxWorkers: 2,
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/support/global-setup.js',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
