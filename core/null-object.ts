/**
 * Constructor of empty objects that inherit nothing (their prototype has no
 * prototype), for tables keyed by names from outside: parsed queries and
 * EventEmitter listener tables. Unlike `Object.create(null)` or a
 * `{ __proto__: null }` literal, which V8 makes dictionaries, these stay
 * fast-mode objects: about 200 bytes less for each, per connection, and
 * no prototype change (`Object.setPrototypeOf`) on the connection path.
 * Node's `querystring.parse` and older EventEmitters use the same trick.
 */
export const NullObject = function NullObject() {} as unknown as new () => Record<string, any>;
NullObject.prototype = Object.create(null);
