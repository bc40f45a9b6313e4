import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { buildSync } from 'esbuild';

const ROOT = join(__dirname, '..', '..');

/** Bundle `source` for browsers (esbuild fails on any Node built-in) and list the files it pulled in. */
function bundle(source: string): { code: string; inputs: string[] } {
  const result = buildSync({
    stdin: { contents: source, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'bundle',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0].text, inputs: Object.keys(result.metafile.inputs) };
}

/** Run a bundle where only what browsers have exists: no Buffer, process, require or global. */
function runInBrowserLikeContext(code: string): Record<string, any> {
  const context: Record<string, unknown> = { TextEncoder, TextDecoder, console };
  runInNewContext(`${code};this.bundle = bundle;`, context);
  return context.bundle as Record<string, any>;
}

const FORBIDDEN = /node_modules\/(zod|tsyringe|reflect-metadata)\//;

describe.each([
  ['binary', "export { binaryPackClient as half } from './plugins/binary-parser/binarypack-client';"],
  [
    'msgpack',
    "import * as msgpackr from 'msgpackr'; import { msgpackCodecsFor } from './plugins/binary-parser/msgpack';" +
      "import { parserHalf } from './core/client/parser-half';" +
      'const { codec } = msgpackCodecsFor(msgpackr as any); export const half = parserHalf(() => codec);',
  ],
  [
    'ejson',
    "import * as EJSON from 'ejson'; import { ejsonCodecOn } from './plugins/ejson-parser/parser';" +
      "import { parserHalf } from './core/client/parser-half';" +
      'const codec = ejsonCodecOn(EJSON); export const half = parserHalf(() => codec);',
  ],
])('%s client half', (name, source) => {
  const { code, inputs } = bundle(source);

  it('bundles for browsers without zod, tsyringe, reflect-metadata or Node modules', () => {
    expect(inputs.filter((file) => FORBIDDEN.test(file))).toEqual([]);
    expect(inputs.filter((file) => file.startsWith('node:'))).toEqual([]);
    if (name !== 'msgpack') expect(inputs.filter((file) => file.includes('msgpackr'))).toEqual([]);
  });

  it('installs a codec that works without Node globals', () => {
    const { half } = runInBrowserLikeContext(code);
    const client: { parser?: { name: string; encode(v: unknown): unknown; decode(f: unknown): unknown } } = {};
    half(client, undefined);
    const parser = client.parser!;
    expect(parser.name).toBe(name);
    const frame = parser.encode({ a: 1, b: 'x', text: 'héllo 😀', list: [1.5, -2, null, true] });
    // Browsers receive binary frames as ArrayBuffers.
    const incoming = typeof frame === 'string' ? frame : (frame as Uint8Array).slice().buffer;
    expect(JSON.parse(JSON.stringify(parser.decode(incoming)))).toEqual({ a: 1, b: 'x', text: 'héllo 😀', list: [1.5, -2, null, true] });
  });
});
