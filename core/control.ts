/**
 * Control messages ride inside ordinary messages as strings in the
 * `primus::<type>::<value>` namespace (spec §1.1), so every parser carries
 * them and Primus 8 peers understand them. The kernels only know the
 * namespace; plugins register the types they speak.
 */
export const CONTROL_PREFIX = 'primus::';

/** Build the string for a control message. */
export function controlMessage(type: string, value: string | number = ''): string {
  return CONTROL_PREFIX + type + '::' + value;
}

/**
 * Split a decoded value into control type and value, or return `undefined`
 * when it is not a control message. `type` is the text between index 8 and
 * the next `:`; `value` everything after the `::` (spec §1.1).
 */
export function parseControl(data: unknown): { type: string; value: string } | undefined {
  if (typeof data !== 'string' || data.charCodeAt(0) !== 112 /* p */ || !data.startsWith(CONTROL_PREFIX)) {
    return undefined;
  }
  const end = data.indexOf(':', 8);
  if (end === -1) return undefined;
  return { type: data.slice(8, end), value: data.slice(end + 2) };
}
