/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/examples'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 20000,
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
};
