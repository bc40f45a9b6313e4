import { controlMessage, type ServerContext, type Spark } from 'allspark';

declare module 'allspark' {
  interface SparkEvents {
    /** This spark's user started (`true`) or stopped typing. */
    typing: [active: boolean];
  }
}

/**
 * The server half: relays typing news between clients that negotiated it.
 * A client's `hello` gets who is typing now, then `ready`. A state change
 * is encoded once and sent to every other capable spark;
 * repeated states and anything but `hello`/`1`/`0` are ignored, so a noisy
 * client costs one lookup per message.
 */
export function typingServer(ctx: ServerContext): () => void {
  const capable = new WeakSet<Spark>();
  const typing = new WeakSet<Spark>();

  const tell = (spark: Spark, active: boolean): void => {
    if (active) typing.add(spark);
    else typing.delete(spark);
    spark.emit('typing', active);
    const prepared = ctx.kernel.prepare(controlMessage('typing', `${spark.id}:${active ? 1 : 0}`));
    if (!prepared) return;
    for (const other of ctx.kernel.connections.values()) {
      if (other !== spark && capable.has(other)) other.writePrepared(prepared);
    }
  };

  /** A client that negotiated: tell it who is typing now, then that news will flow. */
  const welcome = (spark: Spark): void => {
    if (capable.has(spark)) return;
    capable.add(spark);
    for (const other of ctx.kernel.connections.values()) {
      if (typing.has(other)) spark.writeControl('typing', `${other.id}:1`);
    }
    spark.writeControl('typing', 'ready');
  };

  ctx.control('typing', (spark, value) => {
    if (value === 'hello') welcome(spark);
    else if ((value === '1' || value === '0') && capable.has(spark) && typing.has(spark) !== (value === '1')) tell(spark, value === '1');
  });
  // Whoever leaves stops typing.
  return ctx.hook('onDisconnection', (spark) => {
    if (typing.has(spark)) tell(spark, false);
  });
}
