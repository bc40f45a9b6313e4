import { createKernel, definePlugin, VERSION } from '../index';
import { satisfies } from '../core/semver';
import { checkVersion } from '../core/plugin';
import { thrown } from './helpers/errors';

describe('plugin version compatibility', () => {
  test.each([
    ['0.1.0', '^0.1.0', true],
    ['0.2.0', '^0.1.0', false],
    ['1.4.2', '^1.2.0', true],
    ['2.0.0', '^1.2.0', false],
    ['0.0.3', '^0.0.3', true],
    ['0.0.4', '^0.0.3', false],
    ['1.2.9', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.9.0', '1.x', true],
    ['2.0.0', '1.x', false],
    ['5.0.0', '*', true],
    ['3.0.0', '^1 || >=3', true],
    ['2.5.0', '^1 || >=3', false],
    ['1.5.0', '1.0.0 - 2.0.0', true],
    ['2.0.1', '1.0.0 - 2.0.0', false],
    ['1.2.0', '>1.1', true],
    ['1.1.9', '>1.1', false],
    ['1.2.5', '<=1.2', true],
    ['1.3.0', '<=1.2', false],
    ['1.0.0-rc.1', '^1.0.0', false],
    ['1.0.0-rc.2', '>=1.0.0-rc.1', true],
    ['1.0.0-rc.10', '>=1.0.0-rc.2', true],
    ['1.0.0-rc.2', '>=1.0.0-rc.10', false],
    ['1.0.0-rc.1', '>1.0.0-rc', true],
    ['1.0.0-beta', '>1.0.0-1', true],
    ['0.1.0', '>= 0.1.0 < 0.2.0', true],
    ['1.2.4', '1.2.3', false],
  ])('%s satisfies %s: %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });

  test('use() refuses a plugin made for other allspark versions, naming both', () => {
    const future = definePlugin({ name: 'from-the-future', allspark: '^9.0.0', server: () => undefined });
    const err = thrown(() => createKernel().use(future));
    expect([err.code, err.message]).toEqual([
      'ALLSPARK_PLUGIN_VERSION',
      `Plugin "from-the-future" supports allspark ^9.0.0, but this is allspark ${VERSION}`,
    ]);
  });

  test('a matching range is accepted; a malformed one is a declaration error', () => {
    const current = definePlugin({ name: 'current', allspark: `^${VERSION}`, server: () => undefined });
    expect(createKernel().use(current).has('current')).toBe(true);
    const err = thrown(() => checkVersion('odd', '^one', VERSION));
    expect([err.code, err.message]).toEqual([
      'ALLSPARK_PLUGIN_INVALID',
      'Plugin "odd" declares an invalid allspark version range "^one": not a version: "^one"',
    ]);
    expect(thrown(() => checkVersion('odd', 3, '1.0.0')).message).toBe('Plugin "odd" declares an invalid allspark version range 3: it must be a string');
  });
});
