import { get } from 'node:http';
import type { Client } from '../core/client/client';
import { startDemo, type Demo } from '../demo/server';
import { ensureBrowserBuild } from './browser/helpers';

let demo: Demo | undefined;
const clients: Client[] = [];

beforeAll(async () => {
  await ensureBrowserBuild();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await demo?.close();
  demo = undefined;
});

function fetch(url: string): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body: Buffer.concat(chunks).toString() }));
    }).on('error', reject);
  });
}

/** The next `data` message of `type` on `client`. */
function message(client: Client, type: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${type}" message`)), 5000);
    const listener = (message: unknown): void => {
      const data = message as Record<string, unknown>;
      if (data.type !== type) return;
      clearTimeout(timer);
      client.off('data', listener);
      resolve(data);
    };
    client.on('data', listener);
  });
}

describe('the chat demo', () => {
  it('serves the page and the client library', async () => {
    demo = await startDemo({ port: 0, host: '127.0.0.1' });
    expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(demo.url);
    expect([page.status, page.type]).toEqual([200, 'text/html; charset=utf-8']);
    expect(page.body).toContain('<script src="/primus/primus.js"></script>');
    const library = await fetch(`${demo.url}primus/primus.js`);
    expect([library.status, library.type]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(library.body).toBe(demo.primus.library());
    expect((await fetch(`${demo.url}nope`)).status).toBe(404);
  });

  it('broadcasts a chat message to every client', async () => {
    demo = await startDemo({ port: 0, host: '127.0.0.1' });
    const Socket = demo.primus.Socket;
    const alice = new Socket(demo.url);
    const bob = new Socket(demo.url);
    clients.push(alice, bob);
    await Promise.all([message(alice, 'welcome'), message(bob, 'welcome')]);

    const toAlice = message(alice, 'chat');
    const toBob = message(bob, 'chat');
    // Messages the demo cannot show are dropped, not relayed: the first chat is the second write.
    alice.write({ name: 'alice' });
    alice.write({ name: ' alice ', text: 'hello, bob' });
    const [a, b] = await Promise.all([toAlice, toBob]);
    expect(a).toEqual(b);
    expect(a).toEqual({ type: 'chat', name: 'alice', text: 'hello, bob', at: expect.any(Number) });
  });
});
