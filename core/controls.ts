import type { Spark } from './spark';
import type { ControlHandler } from './context';
import { parseControl } from './control';
import { AllsparkError, ErrorCodes } from './errors';

/** Which plugin answers which control type (`primus::<type>::…`); one owner per type. */
export class ControlTable {
  readonly #handlers = new Map<string, { plugin: string; handler: ControlHandler }>();

  add(plugin: string, type: string, handler: ControlHandler): void {
    const taken = this.#handlers.get(type);
    if (taken) {
      throw new AllsparkError(ErrorCodes.SLOT, `Plugin "${plugin}" cannot answer control "${type}": "${taken.plugin}" does`);
    }
    this.#handlers.set(type, { plugin, handler });
  }

  /** Answer a control message; false when nobody speaks its type (then it is data). */
  handle(spark: Spark, data: string): boolean {
    const control = parseControl(data);
    if (control === undefined) return false;
    const entry = this.#handlers.get(control.type);
    if (entry === undefined) return false;
    entry.handler(spark, control.value);
    return true;
  }

  forget(plugin: string): void {
    for (const [type, entry] of this.#handlers) if (entry.plugin === plugin) this.#handlers.delete(type);
  }
}
