import fc from 'fast-check';
import type { ChildServer } from '../helpers/child-server';
import { httpCall } from '../helpers/probe';
import type { Ending } from './wire';

/**
 * Random HTTP requests for the routes under the pathname: the spec and
 * library routes, every polling endpoint of engine.io and SockJS, paths
 * around them, random methods, headers, bodies and endings.
 */
const SOCKJS_TRANSPORTS = ['xhr', 'xhr_send', 'xhr_streaming', 'eventsource', 'htmlfile', 'jsonp', 'jsonp_send', 'websocket', 'info', ''];
const segment = fc.oneof(fc.constantFrom('000', 'abc', '..', '.', '%00', '%2e%2e', '', 'a'.repeat(300)), fc.string({ maxLength: 12 }).map(encodeURIComponent));

/** Paths under and around the pathname; `{sid}` and `{session}` become live ids. */
const path = fc.oneof(
  fc.constantFrom(
    '/primus', '/primus/', '/primus/spec', '/primus/primus.js', '/primus/primus.js?x=1', '/primus/info', '/primus/iframe.html',
    '/primus/iframe-abc.html', '/primus%00', '/primus/..', '/primus/../x', '/primusx', '/', '*', '/primus?',
  ),
  fc
    .tuple(fc.constantFrom('polling', 'websocket', 'x', ''), fc.constantFrom('4', '3', '5', 'x'), fc.constantFrom('', '&sid={sid}', '&sid=nope', '&j=0', '&b64=1', '&t=x&sid={sid}'))
    .map(([transport, eio, rest]) => `/primus/?EIO=${eio}&transport=${transport}${rest}`),
  fc
    .tuple(segment, fc.oneof(fc.constant('{session}'), segment), fc.constantFrom(...SOCKJS_TRANSPORTS), fc.constantFrom('', '?c=cb', '?c=%00', '?c=a.b'))
    .map(([server, session, transport, query]) => `/primus/${server}/${session}/${transport}${query}`),
  fc.array(segment, { maxLength: 6 }).map((parts) => '/primus/' + parts.join('/')),
  fc.string({ maxLength: 40 }).map((s) => '/' + encodeURIComponent(s)),
);

const method = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH'), fc.stringMatching(/^[A-Z]{1,8}$/));

const header = fc.oneof(
  fc.constantFrom<[string, string]>(
    ['Content-Type', 'text/plain;charset=UTF-8'],
    ['Content-Type', 'application/x-www-form-urlencoded'],
    ['Content-Type', 'application/octet-stream'],
    ['Content-Type', 'application/json'],
    ['Content-Length', '0'],
    ['Content-Length', '5'],
    ['Content-Length', '99999999'],
    ['Transfer-Encoding', 'chunked'],
    ['Origin', 'http://evil.example'],
    ['Origin', 'null'],
    ['Cookie', 'JSESSIONID=dummy'],
    ['Accept-Encoding', 'gzip, deflate'],
    ['Access-Control-Request-Method', 'POST'],
    ['Access-Control-Request-Headers', 'x-a, x-b'],
    ['X-Forwarded-For', '1.2.3.4, junk'],
    ['Connection', 'keep-alive'],
    ['Connection', 'Upgrade'],
    ['Upgrade', 'websocket'],
    ['If-None-Match', '"x"'],
  ),
  fc.tuple(fc.stringMatching(/^[A-Za-z-]{1,12}$/), fc.string({ maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, ' '))),
);

const body = fc.oneof(
  fc.constant(''),
  fc.constantFrom('4', '4\x1e4', '1', '2', '2probe', '5', '6', '4"x"', 'bAAAA', '[null]', '["a",null]', '[{"length":1e9}]', '["\\"x\\""]', 'd=%5Bnull%5D', 'd=', '[]', 'null', '{}', '0{}'),
  fc.string({ maxLength: 200 }),
  fc.array(fc.constantFrom('4', '4"x"', '2', '6', 'b', '1', ''), { maxLength: 20 }).map((packets) => packets.join('\x1e')),
);

const ending = fc.constantFrom<Ending>('answer', 'answer', 'reset-after-send', 'reset-mid', 'half-close');

/** One random HTTP request and how its connection ends. */
export const request = fc.record({ method, path, headers: fc.array(header, { maxLength: 5 }), body, binary: fc.option(fc.uint8Array({ maxLength: 100 })), ending });

/** Live session ids for the paths' placeholders (engine.io sid, SockJS session), best effort. */
export async function liveIds(child: ChildServer, transformer: string): Promise<{ sid: string; session: string }> {
  const session = `s${Math.random().toString(36).slice(2, 10)}`;
  let sid = 'none';
  if (transformer === 'engine.io') {
    const open = await httpCall(child.port, 'GET', '/primus/?EIO=4&transport=polling');
    sid = (JSON.parse(open.body.slice(1)) as { sid: string }).sid;
  } else if (transformer === 'sockjs') {
    await httpCall(child.port, 'POST', `/primus/000/${session}/xhr`);
  }
  return { sid, session };
}

