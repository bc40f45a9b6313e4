import type { ServerContext } from '../core/context';
import type { Spark } from '../core/spark';

type Initialise = (this: Spark) => void;

function initialiseNothing(): void {}

/**
 * Primus's `Spark.prototype.initialise`, on one server's own Spark class
 * (`primus.Spark`): assigning a function adds it to the list every new
 * spark runs before `connection` is emitted, and reading it gives the last
 * one added. Plugins written for Primus set up per-spark state this way
 * (`primus.Spark.prototype.initialise = function () { this.rooms = new Set(); }`).
 */
export function installInitialise(ctx: ServerContext): void {
  const list: Initialise[] = [];
  ctx.decorateSpark('initialise', {
    get: () => list[list.length - 1] ?? initialiseNothing,
    set: (fn: unknown) => {
      if (typeof fn === 'function') list.push(fn as Initialise);
    },
  });
  ctx.hook('onConnection', (spark) => {
    for (let i = 0; i < list.length; i++) list[i].call(spark);
  });
}
