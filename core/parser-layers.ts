import type { Parser } from './types';

/** Wraps the parser a parser plugin provides: returns a codec that may handle some frames itself and hands the rest to `inner`. */
export type ParserLayer = (inner: Parser) => Parser;

/**
 * The layers plugins put over the parser slot's codec, in registration
 * order (the first added is closest to the codec). A plugin with its own
 * compact frames (the events plugin) adds one; the kernel applies them
 * whenever the slot is filled again, so a parser plugged in later is
 * layered too, and a plugin's layer leaves with the plugin.
 */
export class ParserLayers {
  readonly #layers: Array<{ plugin: string; wrap: ParserLayer }> = [];

  add(plugin: string, wrap: ParserLayer): void {
    this.#layers.push({ plugin, wrap });
  }

  forget(plugin: string): void {
    for (let i = this.#layers.length - 1; i >= 0; i--) if (this.#layers[i].plugin === plugin) this.#layers.splice(i, 1);
  }

  /** `parser` with every layer over it (`undefined` stays `undefined`: no parser yet). */
  over(parser: Parser | undefined): Parser | undefined {
    if (parser === undefined) return undefined;
    let layered = parser;
    for (const { wrap } of this.#layers) layered = wrap(layered);
    return layered;
  }
}
