import { IncomingMessage } from 'node:http';
import { Socket as NetSocket } from 'node:net';
import { createKernel, clientFor, definePlugin, websockets, jsonParserPlugin, type Primus, type Spark } from '../index';
import { startKernel, stopAll } from './helpers/kernel';
import { once, urlOf } from './helpers/net';
import { startPrimus, stopPrimus } from './plugins/http';

declare module '../index' {
  interface SparkRequest {
    user?: { name: string };
  }
}

describe('spark.request', () => {
  let primus: Primus | undefined;
  const clients: Array<{ destroy(): unknown }> = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await stopPrimus(primus);
    primus = undefined;
  });

  test('is a record with what Primus code reads, and what middleware and authorization added', async () => {
    let authorized: IncomingMessage | undefined;
    let url: string;
    ({ primus, url } = await startPrimus({ trustProxy: true }));
    primus.use('session', (req: IncomingMessage & { session?: object }, _res: unknown, next: () => void) => {
      req.session = { cart: 3 };
      Object.defineProperty(req, 'secret', { value: 's3', enumerable: false });
      next();
    });
    primus.authorize((req, done) => {
      authorized = req;
      (req as IncomingMessage & { user: object }).user = { name: 'ada' };
      done();
    });
    const client = new primus.Socket(url + '/?room=blue', { transport: { headers: { 'X-Forwarded-For': '198.51.100.7', 'X-Team': 'core' } } });
    clients.push(client);
    const spark = await once<Spark>(primus, 'connection');
    const r = spark.request;
    expect(r).not.toBe(authorized);
    expect(r).not.toBeInstanceOf(IncomingMessage);
    expect(r.method).toBe('GET');
    expect(r.url).toMatch(/^\/primus\/?\?/);
    expect(r.httpVersion).toBe('1.1');
    expect(r.headers['x-team']).toBe('core');
    expect(r.headers).toBe(spark.headers);
    expect(r.query.room).toBe('blue');
    expect(r.query).toBe(spark.query);
    expect(r.socket).toBeInstanceOf(NetSocket);
    expect(r.connection).toBe(r.socket);
    expect(r.socket.remotePort).toBeGreaterThan(0);
    expect(r.forwarded).toEqual({ ip: '198.51.100.7', port: 0, secure: false });
    const name: string | undefined = r.user?.name; // typed by the augmentation above
    expect(name).toBe('ada');
    expect(r.user).toEqual({ name: 'ada' });
    expect(r.user).toBe((authorized as IncomingMessage & { user: object }).user);
    expect(r.session).toEqual({ cart: 3 });
    expect(r.secret).toBe('s3');
    expect(Object.keys(r)).not.toContain('secret');
    // Node's stream internals and the kernel's routing aid are left behind.
    for (const internal of ['_readableState', 'rawHeaders', 'pathnameOnly', 'client', 'parser']) expect(r).not.toHaveProperty(internal);
  });

  test('keepRequest: true keeps the IncomingMessage itself (facade and kernel)', async () => {
    let authorized: IncomingMessage | undefined;
    let url: string;
    ({ primus, url } = await startPrimus({ keepRequest: true }));
    primus.authorize((req, done) => {
      authorized = req;
      done();
    });
    const client = new primus.Socket(url);
    clients.push(client);
    const spark = await once<Spark>(primus, 'connection');
    expect(spark.request).toBe(authorized);
    expect(spark.request).toBeInstanceOf(IncomingMessage);

    const env = await startKernel(undefined, { keepRequest: true });
    try {
      const kclient = env.client();
      const kspark = await once<Spark>(env.kernel, 'connection');
      expect(kspark.request).toBeInstanceOf(IncomingMessage);
      kclient.destroy();
    } finally {
      await stopAll(env);
    }
  });

  test('a kernel without middleware keeps what the transport added (ws verifyClient) and the query', async () => {
    const kernel = createKernel()
      .use(websockets, {
        transport: {
          verifyClient: (info: { req: IncomingMessage & { tenant?: string } }) => {
            info.req.tenant = 'acme';
            return true;
          },
        },
      })
      .use(jsonParserPlugin);
    const server = await kernel.listen(0);
    try {
      const client = new (clientFor(kernel))(urlOf(server) + '/?room=blue');
      clients.push(client);
      const spark = await once<Spark>(kernel, 'connection');
      const r = spark.request;
      expect(r).not.toBeInstanceOf(IncomingMessage);
      expect(r.tenant).toBe('acme');
      expect(r.query).toBe(spark.query);
      expect(r.query.room).toBe('blue');
      expect(Object.keys(r).sort()).toEqual(['headers', 'httpVersion', 'method', 'query', 'socket', 'tenant', 'url']);
    } finally {
      for (const c of clients.splice(0)) c.destroy();
      await kernel.close();
    }
  });

  test('with only the default layers, req.forwarded is left off the IncomingMessage and set on the record', async () => {
    let url: string;
    ({ primus, url } = await startPrimus({ trustProxy: true }));
    // A plugin layer that vouches for the request (plainRequest) sees it as the transformer will.
    let seen: IncomingMessage | undefined;
    primus.layers.push({ name: 'probe', fn: Object.assign((req: IncomingMessage, _res: unknown) => void (seen = req), { plainRequest: true }), enabled: true, length: 2 });
    const client = new primus.Socket(url, { transport: { headers: { 'X-Forwarded-For': '198.51.100.8' } } });
    clients.push(client);
    const spark = await once<Spark>(primus, 'connection');
    expect(Object.getOwnPropertyDescriptor(seen!, 'forwarded')).toBe(undefined);
    const d = Object.getOwnPropertyDescriptor(spark.request, 'forwarded')!;
    expect([typeof d.get, typeof d.set, d.enumerable, d.configurable]).toEqual(['function', 'function', true, true]);
    expect(spark.request.forwarded).toEqual({ ip: '198.51.100.8', port: 0, secure: false });
    expect(spark.address).toBe(spark.request.forwarded);
  });

  test('keepRequest: true without other layers still gives the kept request its forwarded', async () => {
    let url: string;
    ({ primus, url } = await startPrimus({ keepRequest: true, trustProxy: true }));
    const client = new primus.Socket(url, { transport: { headers: { 'X-Forwarded-For': '198.51.100.10' } } });
    clients.push(client);
    const spark = await once<Spark>(primus, 'connection');
    expect(spark.request).toBeInstanceOf(IncomingMessage);
    expect(Object.getOwnPropertyDescriptor(spark.request, 'forwarded')?.enumerable).toBe(true);
    expect(spark.request.forwarded).toEqual({ ip: '198.51.100.10', port: 0, secure: false });
  });

  test('a user layer after forwarded sees req.forwarded on the request, and its symbols reach the record', async () => {
    const tag = Symbol('tag');
    let url: string;
    ({ primus, url } = await startPrimus({ trustProxy: true }));
    let forwardedSeen: unknown;
    primus.use('tagger', (req: IncomingMessage & { forwarded?: unknown; [tag]?: string }, _res: unknown) => {
      forwardedSeen = req.forwarded;
      req[tag] = 'mine';
    });
    const client = new primus.Socket(url, { transport: { headers: { 'X-Forwarded-For': '198.51.100.9' } } });
    clients.push(client);
    const spark = await once<Spark>(primus, 'connection');
    expect(forwardedSeen).toEqual({ ip: '198.51.100.9', port: 0, secure: false });
    expect((spark.request as unknown as Record<symbol, unknown>)[tag]).toBe('mine');
    // The address worked out while the layer ran is the one the spark keeps.
    expect(spark.request.forwarded).toBe(forwardedSeen);
  });

  test('a plugin hook registered without plainRequest may add symbols and non-enumerable properties: both are kept', async () => {
    const tag = Symbol('tag');
    const tagging = definePlugin({
      name: 'tagging',
      server(ctx) {
        ctx.hook('onUpgrade', (req, _socket, _head, next) => {
          Object.defineProperty(req, 'hidden', { value: 'h', enumerable: false });
          (req as unknown as Record<symbol, unknown>)[tag] = 't';
          next();
        });
      },
    });
    const env = await startKernel((kernel) => void kernel.use(tagging));
    try {
      env.client();
      const spark = await once<Spark>(env.kernel, 'connection');
      expect((spark.request as unknown as Record<symbol, unknown>)[tag]).toBe('t');
      expect(spark.request.hidden).toBe('h');
      expect(Object.keys(spark.request)).not.toContain('hidden');
      // The kernel's own marks stay on the request.
      expect(Object.getOwnPropertySymbols(spark.request)).toEqual([tag]);
    } finally {
      await stopAll(env);
    }
  });

  test('the kernel validates keepRequest', () => {
    expect(() => createKernel({ keepRequest: 'yes' } as never)).toThrow(/Invalid options for the kernel: keepRequest: Expected boolean, received string/);
  });
});
