/** @type {import('jest').Config} Run alone (npm test in this folder); the allspark repository runs it with its own config. */
module.exports = {
  testEnvironment: 'node',
  testTimeout: 20000,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
};
