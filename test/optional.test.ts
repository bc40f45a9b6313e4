import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AllsparkError, ErrorCodes, MissingPackageError, requireOptional } from '../core';

describe('requireOptional', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'allspark-optional-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('returns the module when the package is installed', () => {
    expect(requireOptional<typeof import('ws')>('ws', 'Transformer "websockets"').WebSocketServer).toBeDefined();
  });

  it('names the package, the feature and the install command when it is missing', () => {
    let caught: unknown;
    try {
      requireOptional('allspark-no-such-package', 'Transformer "x"');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MissingPackageError);
    expect(caught).toBeInstanceOf(AllsparkError);
    const err = caught as MissingPackageError;
    expect(err.code).toBe(ErrorCodes.DEPENDENCY);
    expect(err.packageName).toBe('allspark-no-such-package');
    expect(err.message).toBe(
      'Transformer "x" needs the optional package "allspark-no-such-package", which is not installed: run `npm install allspark-no-such-package`',
    );
    expect(err.cause).toBeUndefined();
  });

  it('names the package, not the file, when a subpath is missing', () => {
    expect(() => requireOptional('@allspark-none/pkg/dist/file.js', 'Parser "y"')).toThrow(
      'Parser "y" needs the optional package "@allspark-none/pkg", which is not installed: run `npm install @allspark-none/pkg`',
    );
  });

  it('rethrows a missing dependency of an installed package as is', () => {
    const file = join(dir, 'broken.js');
    writeFileSync(file, "require('allspark-dependency-that-is-absent');\n");
    let caught: { code?: string; message?: string } | undefined;
    try {
      requireOptional(file, 'Feature');
    } catch (err) {
      caught = err as typeof caught;
    }
    expect(caught?.code).toBe('MODULE_NOT_FOUND');
    expect(caught?.message).toMatch(/^Cannot find module 'allspark-dependency-that-is-absent'/);
  });

  it('rethrows other load errors as is', () => {
    const file = join(dir, 'throws.js');
    writeFileSync(file, "throw new TypeError('broken package');\n");
    expect(() => requireOptional(file, 'Feature')).toThrow(new TypeError('broken package'));
  });
});
