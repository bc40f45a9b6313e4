import { AllsparkError, ErrorCodes } from '../core/errors';

/** The error a spark fails with when a message exceeds `maxLength`; its connection is closed. */
export function tooLong(maxLength: number, detail: string, cause?: unknown): AllsparkError {
  return new AllsparkError(
    ErrorCodes.MAX_LENGTH,
    `Message exceeds maxLength (${maxLength} bytes); connection closed (${detail})`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Does a text message exceed `maxLength` UTF-8 bytes? Characters never
 * outnumber bytes and a character is at most 3 bytes, so the string is
 * measured only when in doubt.
 */
export function textTooLong(message: string, maxLength: number): boolean {
  return message.length > maxLength || (message.length * 3 > maxLength && Buffer.byteLength(message) > maxLength);
}

/** faye-websocket fails a frame over its `maxLength` with this text, then closes with 1009. */
export function isFayeTooLarge(message: unknown): boolean {
  return /too large/.test(String(message));
}
