import { createHash } from 'node:crypto';
import type { Kernel } from '../../core/kernel';
import type { LibraryService } from './token';
import { assembleLibrary } from './assemble';

/** The library as served: text, bytes and a strong validator. */
export interface LibraryEntity {
  source: string;
  body: Buffer;
  etag: string;
}

/**
 * The library for one kernel, assembled on first use and kept until the
 * plugins change. Primus compiled it once for the life of the process, so
 * later `plugin`/`plugout`/`authorize` calls never reached browsers
 * (spec §7.15); here the kernel's `plugin`/`plugout` events drop the cache.
 */
export class ClientLibrary implements LibraryService {
  #cached: LibraryEntity | null = null;

  constructor(
    readonly kernel: Kernel,
    readonly global: string,
    readonly warn: (message: string) => void = () => undefined,
  ) {}

  source(): string {
    return this.entity().source;
  }

  /** Text, bytes and ETag (a hash of the bytes, so it changes exactly when the content does). */
  entity(): LibraryEntity {
    if (this.#cached) return this.#cached;
    const source = assembleLibrary(this.kernel, { global: this.global, warn: this.warn });
    const body = Buffer.from(source, 'utf8');
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
    return (this.#cached = { source, body, etag });
  }

  /** Forget the assembled library; the next request assembles it again. */
  invalidate(): void {
    this.#cached = null;
  }
}
