import { get } from 'node:http';
import type { Client } from '../core/client/client';
import { startDemo, type Demo } from '../demo/server';
import { chatEvents } from '../demo/events';
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

/** A client seen without its declared event map: the events plugin adds names at run time. */
type Loose = { on(event: string, listener: (value: unknown) => void): unknown; once(event: string, listener: (value: unknown) => void): unknown };

/** The next `event` on `client`. */
function next(client: Client, event: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${event}" event`)), 5000);
    // The chat's events are the demo's own event map, known at run time only.
    (client as unknown as Loose).once(event, (value: unknown) => {
      clearTimeout(timer);
      resolve(value);
    });
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

  it('chats in rooms with typed events: validated, delivered to the room only', async () => {
    demo = await startDemo({ port: 0, host: '127.0.0.1' });
    const Socket = demo.primus.Socket;
    const [alice, bob, carol] = [new Socket(demo.url), new Socket(demo.url), new Socket(demo.url)];
    clients.push(alice, bob, carol);
    const welcomes = await Promise.all([alice, bob, carol].map((c) => next(c, 'welcome')));
    expect(welcomes.map((w) => w.room)).toEqual(['lobby', 'lobby', 'lobby']);
    const app = chatEvents.client(carol);
    expect(await app.ask('join', ' kitchen ')).toBe(1);

    const toAlice = next(alice, 'chat');
    const toBob = next(bob, 'chat');
    const carolGot: unknown[] = [];
    (carol as unknown as Loose).on('chat', (m: unknown) => carolGot.push(m));
    // An empty text is refused with a clear error and relayed to nobody.
    const refused = next(alice, 'error');
    chatEvents.client(alice).emit('say', { name: 'alice', text: '   ' });
    expect(await refused).toMatchObject({ code: 'ALLSPARK_EVENT_INVALID', event: 'say', path: 'text' });
    chatEvents.client(alice).emit('say', { name: ' alice ', text: 'hello, bob' });
    const [a, b] = await Promise.all([toAlice, toBob]);
    expect(a).toEqual(b);
    expect(a).toEqual({ room: 'lobby', name: 'alice', text: 'hello, bob', at: expect.any(Number) });
    expect(carolGot).toEqual([]);
  });
});
