import vm from 'node:vm';
import WebSocket from 'ws';
import { assembleLibrary } from '../../plugins/client-library/assemble';
import { PARSER_PLUGINS, bytesOf, next, nextArgs, startEcho, type Env } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const build = require('../../scripts/build-browser.js') as {
  bundle(entry: { name: string; entry: string }): Promise<string>;
};

/** The chunks a websockets + parser library needs, bundled in memory (dist/ is left alone). */
const CHUNKS: Record<string, string> = {
  core: 'plugins/client-library/browser-core.ts',
  'transformers/websockets': 'transformers/websockets/browser.ts',
  'plugins/binary-parser/msgpack': 'plugins/binary-parser/msgpack/browser.ts',
  'plugins/binary-parser/binarypack': 'plugins/binary-parser/binarypack/browser.ts',
  'plugins/ejson-parser': 'plugins/ejson-parser/browser.ts',
};
const built = new Map<string, string>();

beforeAll(async () => {
  for (const [name, entry] of Object.entries(CHUNKS)) built.set(name, await build.bundle({ name, entry }));
});

/** `ws`, behaving as a browser WebSocket does for binary frames: ArrayBuffers. */
class BrowserWebSocket extends WebSocket {
  constructor(url: string) {
    super(url);
    this.binaryType = 'arraybuffer';
  }
}

interface LibraryClient {
  on(event: string, fn: (...args: any[]) => void): unknown;
  once(event: string, fn: (...args: any[]) => void): unknown;
  write(data: unknown): boolean;
  destroy(): void;
}

describe.each(PARSER_PLUGINS)('%s parser in the generated browser library', (name, plugin) => {
  let env: Env;
  let Primus: new (url: string) => LibraryClient;
  /** Evaluate in the library's realm, as page code would create its values. */
  let inPage: (code: string) => any;

  beforeEach(async () => {
    env = await startEcho(plugin);
    const source = assembleLibrary(env.kernel, { global: 'Primus', read: (chunk) => built.get(chunk)! });
    // A browser-like global scope: no Buffer, process or require.
    const context: Record<string, any> = { WebSocket: BrowserWebSocket, URL, TextEncoder, TextDecoder, setTimeout, clearTimeout };
    vm.createContext(context);
    vm.runInContext(source, context, { filename: 'primus.js' });
    Primus = context.Primus;
    inPage = (code) => vm.runInContext(code, context);
  });

  afterEach(async () => {
    await env.close();
  });

  it('talks to our server with the same codec, binary frames as ArrayBuffers', async () => {
    const client = new Primus(env.url);
    env.track(() => client.destroy());
    await next(client, 'open');
    const back = nextArgs<[unknown, unknown]>(client, 'data');
    client.write(inPage(`({ a: 1, b: 'x', text: 'héllo 😀', list: [1.5, -2, null, true], big: 2 ** 40 })`));
    const [data, frame] = await back;
    expect(JSON.parse(JSON.stringify(data))).toEqual({ a: 1, b: 'x', text: 'héllo 😀', list: [1.5, -2, null, true], big: 2 ** 40 });
    expect(Object.prototype.toString.call(frame)).toBe(name === 'ejson' ? '[object String]' : '[object ArrayBuffer]');

    const bytes = next<{ data: unknown }>(client, 'data');
    client.write(inPage('({ data: new Uint8Array([1, 2, 255]) })'));
    expect(bytesOf((await bytes).data)).toEqual([1, 2, 255]);

    const date = next<{ at: unknown }>(client, 'data');
    client.write(inPage('({ at: new Date(1700000000123) })'));
    const at = (await date).at;
    if (name === 'binary') expect(typeof at).toBe('string');
    else expect(Object.prototype.toString.call(at) === '[object Date]' && (at as Date).getTime()).toBe(1700000000123);
  });
});
