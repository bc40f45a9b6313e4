import type { IncomingMessage, ServerResponse } from 'node:http';
import { createKernel, clientFor, type Kernel, type Client, type Spark } from '../../index';
import { websockets } from '../../transformers/websockets';
import { jsonParserPlugin } from '../../plugins/json-parser';
import { middleware } from '../../plugins/middleware';
import { forwarded } from '../../plugins/forwarded';
import type { KernelRequest } from '../../core/http';
import type { Primus } from '../../index';
import { once, urlOf } from '../helpers/net';
import { request, startPrimus, stopPrimus } from './http';

/** Connect a real client carrying `headers` and return the spark's address. */
async function addressOver(kernel: Kernel, url: string, headers: Record<string, string>, clients: Client[]) {
  const Socket = clientFor(kernel);
  const client = new Socket(url, { transport: { headers } });
  clients.push(client);
  const spark = await once<Spark>(kernel, 'connection');
  return spark.address;
}

describe('forwarded plugin: spark.address over a real WebSocket', () => {
  let kernel: Kernel | undefined;
  const clients: Client[] = [];
  let url: string;

  async function start(trustProxy?: boolean | string[]): Promise<void> {
    kernel = createKernel()
      .use(websockets)
      .use(jsonParserPlugin)
      .use(middleware)
      .use(forwarded, trustProxy === undefined ? undefined : { trustProxy });
    url = urlOf(await kernel.listen(0));
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await kernel?.close();
    kernel = undefined;
  });

  it('honours x-forwarded-for with its port and proto headers (trustProxy: true, the default)', async () => {
    await start();
    const address = await addressOver(
      kernel!,
      url,
      { 'X-Forwarded-For': '203.0.113.7, 10.0.0.1', 'X-Forwarded-Port': '8443', 'X-Forwarded-Proto': 'https' },
      clients,
    );
    expect(address).toEqual({ ip: '203.0.113.7', port: 8443, secure: true });
  });

  it('honours an RFC 7239 Forwarded header', async () => {
    await start(true);
    const address = await addressOver(
      kernel!,
      url,
      { Forwarded: 'for="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.1' },
      clients,
    );
    expect(address).toEqual({ ip: '2001:db8:cafe::17', port: 4711, secure: true });
  });

  it('honours a bare-IP Forwarded header, as Primus reads it', async () => {
    await start(true);
    const address = await addressOver(kernel!, url, { Forwarded: '198.51.100.4' }, clients);
    expect(address).toEqual({ ip: '198.51.100.4', port: 0, secure: false });
  });

  it('honours x-real-ip; without a port header the port is 0 (the proxy port says nothing about the client)', async () => {
    await start(true);
    const address = await addressOver(kernel!, url, { 'X-Real-IP': '198.51.100.9' }, clients);
    expect(address).toEqual({ ip: '198.51.100.9', port: 0, secure: false });
  });

  it('takes the port from an ip:port entry', async () => {
    await start(true);
    const address = await addressOver(kernel!, url, { 'X-Forwarded-For': '198.51.100.9:5150' }, clients);
    expect(address).toEqual({ ip: '198.51.100.9', port: 5150, secure: false });
  });

  it('reads Fastly headers: fastly-client-ip and fastly-ssl: 1', async () => {
    await start(true);
    const address = await addressOver(
      kernel!,
      url,
      { 'Fastly-Client-IP': '192.0.2.33', 'Fastly-SSL': '1', 'X-Forwarded-For': '10.1.1.1' },
      clients,
    );
    expect(address).toEqual({ ip: '192.0.2.33', port: 0, secure: true });
  });

  it('ignores proxy headers with an invalid entry (a forged list), as Primus does', async () => {
    await start(true);
    const address = await addressOver(kernel!, url, { 'X-Forwarded-For': '203.0.113.7, not-an-ip' }, clients);
    expect(address.ip).toBe('127.0.0.1');
    expect(address.secure).toBe(false);
  });

  it('ignores proxy headers with trustProxy: false', async () => {
    await start(false);
    const address = await addressOver(kernel!, url, { 'X-Forwarded-For': '203.0.113.7', 'X-Real-IP': '203.0.113.8' }, clients);
    expect(address.ip).toBe('127.0.0.1');
    expect(address.port).toBeGreaterThan(0);
    expect(address.secure).toBe(false);
  });

  it('honours proxy headers only from listed proxies', async () => {
    await start(['127.0.0.1']);
    expect((await addressOver(kernel!, url, { 'X-Forwarded-For': '203.0.113.7' }, clients)).ip).toBe('203.0.113.7');
    await kernel!.close();
    await start(['10.9.9.9']);
    expect((await addressOver(kernel!, url, { 'X-Forwarded-For': '203.0.113.7' }, clients)).ip).toBe('127.0.0.1');
  });

  it('falls back to the socket address without proxy headers', async () => {
    await start(true);
    const address = await addressOver(kernel!, url, {}, clients);
    expect(address.ip).toBe('127.0.0.1');
    expect(address.port).toBeGreaterThan(0);
  });
});

describe('forwarded through the Primus facade (req.forwarded on plain HTTP)', () => {
  let primus: Primus | undefined;

  afterEach(async () => {
    await stopPrimus(primus);
    primus = undefined;
  });

  async function echoForwarded(trustProxy?: boolean | string[]) {
    const started = await startPrimus(trustProxy === undefined ? {} : { trustProxy });
    primus = started.primus;
    primus.use('echo', (req: KernelRequest, res: ServerResponse) => {
      res.end(JSON.stringify(req.forwarded));
      return true;
    });
    return started.url;
  }

  it('is the first layer', async () => {
    await echoForwarded();
    expect(primus!.indexOfLayer('forwarded')).toBe(0);
  });

  it('trusts proxy headers by default (trustProxy: true)', async () => {
    const url = await echoForwarded();
    const reply = await request(url, '/primus', { headers: { 'X-Forwarded-For': '203.0.113.7', 'X-Forwarded-Proto': 'https' } });
    expect(JSON.parse(reply.body)).toEqual({ ip: '203.0.113.7', port: 0, secure: true });
  });

  it('ignores them with trustProxy: false', async () => {
    const url = await echoForwarded(false);
    const reply = await request(url, '/primus', { headers: { 'X-Forwarded-For': '203.0.113.7' } });
    const address = JSON.parse(reply.body) as { ip: string; port: number };
    expect(address.ip).toBe('127.0.0.1');
    expect(address.port).toBeGreaterThan(0);
  });

  it('lets a later layer or the authorizer replace req.forwarded; the spark keeps the same object', async () => {
    const started = await startPrimus({ trustProxy: ['127.0.0.1'] });
    primus = started.primus;
    const seen: unknown[] = [];
    primus.use('geo', (req: KernelRequest, _res: unknown, next: () => void) => {
      seen.push(req.forwarded);
      req.forwarded = { ip: '203.0.113.9', port: 443, secure: true };
      next();
    });
    const client = new primus.Socket(started.url, { transport: { headers: { 'X-Forwarded-For': '192.0.2.1' } } });
    const spark = await once<Spark>(primus, 'connection');
    expect(seen).toEqual([{ ip: '192.0.2.1', port: 0, secure: false }]);
    expect(spark.address).toEqual({ ip: '203.0.113.9', port: 443, secure: true });
    expect(spark.request.forwarded).toBe(spark.address);
    client.destroy();
  });

  it('sets req.forwarded on upgrades too, so spark.address reflects it', async () => {
    const started = await startPrimus({ trustProxy: ['127.0.0.1'] });
    primus = started.primus;
    const client = new primus.Socket(started.url, { transport: { headers: { 'X-Forwarded-For': '192.0.2.1' } } });
    const spark = await once<Spark>(primus, 'connection');
    expect(spark.address).toEqual({ ip: '192.0.2.1', port: 0, secure: false });
    expect(spark.request.forwarded).toBe(spark.address);
    client.destroy();
  });
});
