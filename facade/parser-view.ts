import type { Kernel } from '../core/kernel';
import { Slots } from '../core/slots';
import type { Parser } from '../core/types';
import { readChunk } from '../plugins/client-library/chunks';
import type { PrimusParser } from './tables';

/** Primus's callback-style coder: `coder.call(spark?, data, fn(err, value))`. */
type Coder = PrimusParser['encoder'];

const views = new WeakMap<Parser, PrimusParser & { name: string }>();

/** Run a kernel codec step Primus's way: errors go to `fn`, `this` (a spark, a client) is its owner. */
function coder(step: (value: any, owner?: object) => unknown): Coder {
  return function (this: unknown, value, fn) {
    let out: unknown;
    try {
      out = step(value, typeof this === 'object' && this !== null ? this : undefined);
    } catch (err) {
      return fn(err);
    }
    fn(undefined, out);
  };
}

/** The browser code of the plugin that fills the parser slot (its prebuilt chunk), or ''. */
function parserLibrary(kernel: Kernel): string {
  const owner = kernel.registry.ownerOf(Slots.parser);
  const browser = kernel.plugins().find((p) => p.definition.name === owner)?.definition.browser;
  return typeof browser === 'string' && owner ? readChunk(browser, owner) : '';
}

/**
 * `primus.parser` as Primus returns it: a custom parser is the object the
 * user passed; a built-in one is shown as `{ name, binary, encoder, decoder,
 * library }` (callback-style coders, the browser code as text), one view
 * per parser so `primus.parser === primus.parser`.
 */
export function primusParserOf(kernel: Kernel): PrimusParser & { name?: string } {
  const parser = kernel.parser;
  const custom = (parser as Parser & { primus?: PrimusParser }).primus;
  if (custom) return custom;
  let view = views.get(parser);
  if (view === undefined) {
    let library: string | undefined;
    view = {
      name: parser.name,
      binary: parser.binary,
      encoder: coder((data, owner) => parser.encode(data, owner)),
      decoder: coder((frame, owner) => parser.decode(frame, owner)),
      get library() {
        return (library ??= parserLibrary(kernel));
      },
    };
    views.set(parser, view);
  }
  return view;
}
