/** @type {import('jest').Config} Run alone (npm test in this folder); the allspark repository runs it with its own config. */
module.exports = { preset: 'ts-jest', testEnvironment: 'node', testTimeout: 20000 };
