import { parse } from 'node:querystring';
import { parseQuery } from '../core/query';

/** Plain JSON of a query, prototype aside: what querystring.parse gives must be what parseQuery gives. */
const plain = (q: object): unknown => JSON.parse(JSON.stringify(q));

describe('parseQuery', () => {
  it.each([
    '',
    '_primuscb=Nx3-abc',
    'EIO=4&transport=websocket&sid=abc',
    'a=1&a=2&a=3',
    'a=1&&b&=x&c=&d==e&',
    '&',
    '=',
    'a',
    '__proto__=1&constructor=2&toString=3',
    'room=blue%20green&name=a+b',
    'a=%zz&b=%41',
  ])('reads %j as querystring.parse does', (text) => {
    expect(plain(parseQuery(text))).toEqual(plain(parse(text)));
  });

  // querystring.parse's maxKeys (1,000) counts &-separated parts, empty ones too.
  it.each([
    ['1,005 keys', Array.from({ length: 1005 }, (_, i) => `k${i}=${i}`).join('&')],
    ['1,005 empty parts before a key', '&'.repeat(1005) + 'a=1'],
  ])('stops where querystring.parse stops: %s', (_, text) => {
    expect(plain(parseQuery(text))).toEqual(plain(parse(text)));
  });

  it('gives a fast object whose keys never meet inherited members', () => {
    const query = parseQuery('__proto__=x&hasOwnProperty=y');
    expect(Object.getPrototypeOf(Object.getPrototypeOf(query))).toBe(null);
    expect(Object.keys(query)).toEqual(['__proto__', 'hasOwnProperty']);
    expect(query.__proto__).toBe('x');
    expect('toString' in parseQuery('a=1')).toBe(false);
  });
});
