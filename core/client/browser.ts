import type { ClientPluginHalf } from './types';

/**
 * The generated browser library is a wrapper function holding one shared
 * `__allspark` object; the core chunk and each plugin's chunk are separate
 * bundles pasted inside it. Chunks meet through that object only.
 */
declare const __allspark: { halves: Record<string, ClientPluginHalf<any>> };

/** Called by a plugin's `browser.ts` chunk entry: make its client half available to the library. */
export function registerHalf(name: string, half: ClientPluginHalf<any>): void {
  __allspark.halves[name] = half;
}
