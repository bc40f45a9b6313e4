import 'reflect-metadata';
import { container, type DependencyContainer, type InjectionToken } from 'tsyringe';
import { AllsparkError, ErrorCodes } from './errors';

/**
 * The services plugins provide to each other, one tsyringe child container
 * per kernel so two kernels in one process never see each other's services.
 * Every token has one owner: providing a taken token is an error, which is
 * what makes the transformer and parser slots exclusive.
 */
export class Registry {
  #container: DependencyContainer = container.createChildContainer();
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
    this.#container.register(token, { useValue: value });
  }

  /** The value under `token`, or `undefined`. */
  lookup<T>(token: InjectionToken<T>): T | undefined {
    return this.#container.isRegistered(token, false) ? this.#container.resolve(token) : undefined;
  }

  /** The plugin that provides `token`, if any. */
  ownerOf(token: InjectionToken<unknown>): string | undefined {
    return this.#owners.get(token);
  }

  /** Drop everything `plugin` provided (tsyringe cannot unregister, so rebuild the child). */
  release(plugin: string): void {
    let changed = false;
    for (const [token, owner] of this.#owners) {
      if (owner !== plugin) continue;
      this.#owners.delete(token);
      this.#values.delete(token);
      changed = true;
    }
    if (!changed) return;
    this.#container = container.createChildContainer();
    for (const [token, value] of this.#values) this.#container.register(token, { useValue: value });
  }
}

function describeToken(token: InjectionToken<unknown>): string {
  return typeof token === 'symbol' ? token.description ?? 'a service' : `"${String((token as { name?: string }).name ?? token)}"`;
}
