import { createServer, type Server } from 'node:http';
import { Primus, createKernel, websockets, jsonParserPlugin, type Spark } from '../index';
import { httpServer, once, urlOf, closeServer } from './helpers/net';

const PrimusV8 = require('primus');

describe('Primus.discover: a client class from the server’s <pathname>/spec', () => {
  let http: Server;
  const stops: Array<() => Promise<void>> = [];
  const clients: Array<{ end(): unknown }> = [];

  beforeEach(async () => {
    http = await httpServer();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.end();
    for (const stop of stops.splice(0)) await stop();
    await closeServer(http).catch(() => undefined);
  });

  test('against a real Primus 8 server: transformer and pathname come from its spec', async () => {
    const server = new PrimusV8(http, { transformer: 'engine.io', pathname: '/rt', pingInterval: 2000 });
    stops.push(() => new Promise<void>((resolve) => server.destroy({ close: false }, resolve)));
    server.on('connection', (spark: any) => spark.on('data', (d: unknown) => spark.write({ echo: d })));
    const Socket = await Primus.discover(urlOf(http), { pathname: '/rt' });
    const client = new Socket(urlOf(http));
    clients.push(client);
    client.write('hi');
    expect(await once(client, 'data')).toEqual({ echo: 'hi' });
    expect(client.pathname).toBe('/rt');
  });

  test('against an allspark server: the parser comes from its spec (EJSON dates round-trip)', async () => {
    const primus = new Primus(http, { transformer: 'faye', parser: 'ejson', pingInterval: false });
    stops.push(() => new Promise<void>((resolve) => primus.destroy({ close: false }, () => resolve())));
    primus.on('connection', (spark: Spark) => spark.on('data', (d: unknown) => spark.write(d)));
    const Socket = await Primus.discover(urlOf(http));
    const client = new Socket(urlOf(http));
    clients.push(client);
    const when = new Date(Date.UTC(2026, 10, 26));
    client.write({ when });
    const echoed = (await once<{ when: Date }>(client, 'data')).when;
    expect(echoed).toBeInstanceOf(Date);
    expect(echoed.getTime()).toBe(when.getTime());
  });

  test('clear errors: no spec route, not a spec, bad URL', async () => {
    const other = createServer((req, res) => {
      res.writeHead(req.url === '/primus/spec' ? 200 : 404, { 'Content-Type': 'application/json' });
      res.end(req.url === '/primus/spec' ? '{"hello":"world"}' : '{}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    stops.push(() => closeServer(other));
    await expect(Primus.discover(urlOf(other), { pathname: '/nope' })).rejects.toMatchObject({
      code: 'ALLSPARK_TRANSPORT',
      message: expect.stringMatching(/^Primus\.discover: no server spec at http:\/\/127\.0\.0\.1:\d+\/nope\/spec \(HTTP 404\)$/),
    });
    await expect(Primus.discover(urlOf(other))).rejects.toThrow(/did not answer with a Primus server spec/);
    await expect(Primus.discover('not a url')).rejects.toMatchObject({ code: 'ALLSPARK_OPTIONS' });
  });

  test('against a kernel without the spec plugin: the error says what to add', async () => {
    const kernel = createKernel().use(websockets).use(jsonParserPlugin).attach(http);
    stops.push(() => kernel.close());
    await expect(Primus.discover(urlOf(http))).rejects.toMatchObject({
      code: 'ALLSPARK_TRANSPORT',
      message: expect.stringMatching(
        /^Primus\.discover: no server spec at http:\/\/127\.0\.0\.1:\d+\/primus\/spec \(HTTP 426\)\. An allspark kernel serves its spec only with the spec plugin: add `kernel\.use\(spec\)` \(import \{ spec \} from 'allspark'\), or build the client from the kernel itself with `clientFor\(kernel\)`$/,
      ),
    });
  });
});
