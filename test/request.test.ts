import { IncomingMessage } from 'node:http';
import { Socket as NetSocket } from 'node:net';
import { createKernel, clientFor, websockets, jsonParserPlugin, type Primus, type Spark } from '../index';
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

  test('the kernel validates keepRequest', () => {
    expect(() => createKernel({ keepRequest: 'yes' } as never)).toThrow(/Invalid options for the kernel: keepRequest: Expected boolean, received string/);
  });
});
