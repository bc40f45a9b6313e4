import { Primus, type PrimusOptions } from '../index';
import { oneEditApart, OPTION_TYPO_WARNING } from '../facade/typos';
import { httpServer, closeServer, once } from './helpers/net';
import { useFacades } from './helpers/facade';
import { thrown } from './helpers/errors';

// A Primus plugin's own option, declared as its TypeScript users would.
declare module '../index' {
  interface PrimusOptions {
    responder?: { timeout?: number };
  }
}

describe('facade options: typos, names, types', () => {
  // jest's sandboxed `process` does not deliver `warning` events, so the call itself is recorded.
  let emitWarning: jest.SpyInstance;

  beforeEach(() => {
    emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  });
  afterEach(() => {
    emitWarning.mockRestore();
  });
  const facades = useFacades();
  const { primus } = facades;

  test('a key one typo away from a known option is logged every time, warned once per process', async () => {
    const options = { transfomer: 'sockjs', pingInterva: 1000, rooms: { wildcard: true } };
    const first = primus(options as PrimusOptions);
    const logged: unknown[][] = [];
    first.on('log', (...args) => logged.push(args));
    await new Promise((resolve) => setImmediate(resolve));
    expect(logged).toEqual([
      ['warn', 'Unknown Primus option "transfomer": did you mean "transformer"? (unknown options are kept for plugins)'],
      ['warn', 'Unknown Primus option "pingInterva": did you mean "pingInterval"? (unknown options are kept for plugins)'],
    ]);
    // The unknown key is kept, as Primus keeps it: the default transformer runs.
    expect(first.kernel.transformer.name).toBe('websockets');
    expect(first.options.transfomer).toBe('sockjs');
    expect(emitWarning.mock.calls).toEqual([
      ['Unknown Primus option "transfomer": did you mean "transformer"? (unknown options are kept for plugins)', { code: OPTION_TYPO_WARNING }],
      ['Unknown Primus option "pingInterva": did you mean "pingInterval"? (unknown options are kept for plugins)', { code: OPTION_TYPO_WARNING }],
    ]);

    await closeServer(facades.http);
    facades.http = await httpServer();
    const second = primus({ transfomer: 'faye' } as PrimusOptions);
    const [level, message] = await onceLog(second);
    expect([level, message]).toEqual(['warn', 'Unknown Primus option "transfomer": did you mean "transformer"? (unknown options are kept for plugins)']);
    expect(emitWarning.mock.calls.length).toBe(2);
  });

  test('misspelled options do not compile; a plugin’s declared options do', () => {
    // @ts-expect-error: "transfomer" is not a Primus option
    const typo: PrimusOptions = { transfomer: 'sockjs' };
    const own: PrimusOptions = { transformer: 'websockets', responder: { timeout: 5 }, rooms: { wildcard: false } };
    expect([typo, own].length).toBe(2);
  });

  test('unknown transformer and parser names list the known ones', () => {
    const transformer = thrown(() => primus({ transformer: 'uws' }));
    expect([transformer.code, transformer.message]).toEqual([
      'ALLSPARK_PRIMUS',
      'Unsupported transformer: "uws" (known transformers: websockets, sockjs, engine.io, faye)',
    ]);
    const parser = thrown(() => primus({ parser: 'msgpak' }));
    expect(parser.message).toBe('Unsupported parser: "msgpak" (known parsers: json, msgpack, binary, ejson)');
  });

  test('Primus.transformers / Primus.parsers: an unknown name throws a PrimusError, not a TypeError', () => {
    const tables = Primus as unknown as { transformers: Record<string, () => unknown>; parsers: Record<string, () => unknown> };
    const err = thrown(() => tables.transformers['uws']());
    expect([err.name, err.code, err.message]).toEqual([
      'PrimusError',
      'ALLSPARK_PRIMUS',
      'Unsupported transformer: "uws" (known transformers: websockets, sockjs, engine.io, faye)',
    ]);
    expect(thrown(() => tables.parsers['xml']()).message).toBe('Unsupported parser: "xml" (known parsers: json, msgpack, binary, ejson)');
    expect(Object.keys(tables.transformers)).toEqual(['websockets', 'sockjs', 'engine.io', 'faye']);
    expect(['uws' in tables.transformers, 'faye' in tables.transformers]).toEqual([false, true]);
    expect([tables.transformers.then, tables.transformers.toJSON]).toEqual([undefined, undefined]);
  });

  test('one edit apart: insertion, deletion, substitution, swap', () => {
    expect(['transfomer', 'transformerr', 'transformor', 'tarnsformer', 'transformer', 'trans', 'rooms'].map((k) => oneEditApart(k, 'transformer'))).toEqual([
      true, true, true, true, false, false, false,
    ]);
  });
});

function onceLog(p: Primus): Promise<unknown[]> {
  return new Promise((resolve) => p.once('log', (...args) => resolve(args)));
}
