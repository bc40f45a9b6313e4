/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/examples'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 20000,
  // Examples import the package by name, as their users do; in this repository that is the source.
  moduleNameMapper: {
    '^allspark$': '<rootDir>/index.ts',
    '^allspark/testing$': '<rootDir>/testing/index.ts',
    '^allspark/browser$': '<rootDir>/core/client/browser.ts',
    '^allspark/build$': '<rootDir>/build/index.ts',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
};
