import { Primus } from '/work/main/index';
import { httpServer, once, urlOf } from '/work/main/test/helpers/net';
test('x', async () => {
  const http = await httpServer();
  const primus = new Primus(http, { transformer: 'websockets', password: 'secret' } as any);
  primus.plugin('omega-supreme', require('omega-supreme'));
  console.log(primus.layers.map((l: any) => l.name));
  const c = new primus.Socket(urlOf(http));
  c.on('error', (e: any) => console.log('err', e.message));
  c.on('reconnect scheduled', () => console.log('reconnect scheduled'));
  await once(c as never, 'open');
  c.end(); primus.destroy();
});
