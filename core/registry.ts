import type { InjectionContainer, InjectionToken } from './injection';
import { AllsparkError, ErrorCodes } from './errors';
import { requireOptional } from './optional';

/**
 * The services plugins provide to each other. Every token has one owner:
 * providing a taken token is an error, which is what makes the transformer
 * and parser slots exclusive.
 *
 * Values live in a Map, so a kernel that only provides and looks up
 * services never loads tsyringe. The tsyringe child container (class and
 * factory providers, `@inject`) is built the first time `container` is
 * read: tsyringe and reflect-metadata are optional packages (0.8 MiB on
 * disk with tslib, about 350 KiB of heap) a minimal embedded server does
 * not need.
 */
export class Registry {
  #container: InjectionContainer | undefined;
  readonly #owners = new Map<InjectionToken<unknown>, string>();
  readonly #values = new Map<InjectionToken<unknown>, unknown>();

  /** Register `value` under `token` on behalf of `plugin`. */
  provide<T>(token: InjectionToken<T>, value: T, plugin: string): void {
    const owner = this.#owners.get(token);
    if (owner !== undefined) {
      throw new AllsparkError(
        ErrorCodes.SLOT,
        `Plugin "${plugin}" cannot provide ${describeToken(token)}: plugin "${owner}" already provides it`,
      );
    }
    this.#owners.set(token, plugin);
    this.#values.set(token, value);
    this.#container?.register(token, { useValue: value });
  }

  /**
   * The value under `token`, or `undefined`. Tokens registered straight on
   * `container` (classes, factories) resolve through tsyringe.
   */
  lookup<T>(token: InjectionToken<T>): T | undefined {
    if (this.#values.has(token)) return this.#values.get(token) as T;
    const c = this.#container;
    return c !== undefined && c.isRegistered(token, false) ? c.resolve(token) : undefined;
  }

  /** The plugin that provides `token`, if any. */
  ownerOf(token: InjectionToken<unknown>): string | undefined {
    return this.#owners.get(token);
  }

  /**
   * This kernel's tsyringe child container, holding every provided service,
   * for plugins that build classes with `@injectable()`/`@inject(token)`.
   * Loads reflect-metadata and tsyringe on first use; both are optional
   * packages (ALLSPARK_DEPENDENCY with the install command without one).
   */
  get container(): InjectionContainer {
    if (this.#container === undefined) this.#container = this.#rebuild();
    return this.#container;
  }

  /** Drop everything `plugin` provided. */
  release(plugin: string): void {
    let changed = false;
    for (const [token, owner] of this.#owners) {
      if (owner !== plugin) continue;
      this.#owners.delete(token);
      this.#values.delete(token);
      changed = true;
    }
    // tsyringe cannot unregister, so a built container is rebuilt.
    if (changed && this.#container !== undefined) this.#container = this.#rebuild();
  }

  #rebuild(): InjectionContainer {
    const feature = 'The dependency-injection container (ctx.container)';
    // reflect-metadata first: tsyringe refuses to load without the polyfill it installs.
    requireOptional('reflect-metadata', feature);
    const { container } = requireOptional<{ container: InjectionContainer }>('tsyringe', feature);
    const child = container.createChildContainer();
    for (const [token, value] of this.#values) child.register(token, { useValue: value });
    return child;
  }
}

function describeToken(token: InjectionToken<unknown>): string {
  return typeof token === 'symbol' ? token.description ?? 'a service' : `"${String((token as { name?: string }).name ?? token)}"`;
}
