import { z } from 'zod/v3';
import { definePlugin } from '../../core/plugin';
import type { KernelRequest } from '../../core/http';
import { addLayer } from '../middleware';
import { deferRequestProperty } from '../../core/request';
import { forwardedFor, type ForwardedAddress } from './address';
import { Spark, type SparkAddress } from '../../core/spark';

export const forwardedOptions = z
  .object({
    /**
     * Which peers may report a client address in proxy headers
     * (`x-forwarded-for`, `forwarded`, `x-real-ip`, …): `true` any (Primus's
     * default), a list of proxy IPs, or `false` none. Default true.
     */
    trustProxy: z.union([z.boolean(), z.array(z.string())]).default(true),
  })
  .strict();

/** Where a request keeps the address once `forwarded` was read. */
const WORKED_OUT = Symbol('allspark forwarded');
type Holder = KernelRequest & { [WORKED_OUT]?: ForwardedAddress };

/**
 * Gives every request `req.forwarded` (and so `spark.address`): the client
 * address from trusted proxy headers. It is worked out when first read, not
 * on every request: most connections never ask, and an eager address costs
 * an object, a string and the socket's cached peer name per connection.
 */
export const forwarded = definePlugin({
  name: 'forwarded',
  dependencies: ['middleware'],
  options: forwardedOptions,
  server(ctx, { trustProxy }) {
    // One accessor per kernel shared by all its requests, so a request costs no closure. It
    // reads only `headers` and `socket`, which the record `spark.request` keeps (it copies this
    // accessor and any address already worked out).
    const accessor: PropertyDescriptor = {
      get(this: Holder): ForwardedAddress {
        return (this[WORKED_OUT] ??= forwardedFor(this, trustProxy));
      },
      set(this: Holder, value: ForwardedAddress) {
        this[WORKED_OUT] = value;
      },
      enumerable: true,
      configurable: true,
    };
    // Defined on the request only when other code may read it (middleware, an authorizer), and on
    // the `spark.request` record: an accessor on an IncomingMessage costs a microsecond per request.
    const layer = (req: KernelRequest, _res: unknown): void => deferRequestProperty(req, 'forwarded', accessor);
    addLayer(ctx, 'forwarded', Object.assign(layer, { plainRequest: true }));
    const socketAddress = Object.getOwnPropertyDescriptor(Spark.prototype, 'address')!.get!;
    ctx.decorateSpark(
      'address',
      {
        get(this: Spark): SparkAddress {
          const request = this.request;
          // Worked out again from the headers when code removed `request.forwarded` (Primus reads them on every access).
          return request.forwarded ?? (request.socket ? forwardedFor(request as never, trustProxy) : socketAddress.call(this));
        },
      },
      { override: true },
    );
  },
});

export { forwardedFor };

declare module '../../core/http' {
  interface KernelRequest {
    /** Client address as trusted proxies report it (set by the `forwarded` plugin). */
    forwarded?: ForwardedAddress;
  }
}

declare module '../../core/request' {
  interface SparkRequest {
    /** Client address as trusted proxies report it (set by the `forwarded` plugin). */
    forwarded?: ForwardedAddress;
  }
}
