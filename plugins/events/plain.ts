/**
 * An emitter seen without its typed event map. The events plugin emits and
 * listens under names known only at run time (the user's event map), which
 * the kernel's and clients' declared maps cannot list.
 */
export interface PlainEmitter {
  emit(name: string | symbol, ...args: unknown[]): boolean;
  rawListeners(name: string): Function[];
}
