import type { InjectionContainer, InjectionToken } from './injection';
import type { Kernel, KernelOptions } from './kernel';
import type { HookOptions, ServerHookName, ServerHooks } from './hooks';
import type { Spark } from './spark';
import type { ParserLayer } from './parser-layers';

/** Answers one type of control message (`primus::<type>::<value>`). */
export type ControlHandler = (spark: Spark, value: string) => void;

/**
 * A plugin's view of the kernel while its server half runs. Everything it
 * registers is recorded under the plugin's name, so `plugout` can undo it
 * and hooks can be ordered with `before`/`after` plugin names.
 */
export class ServerContext {
  /** The kernel the plugin is added to. */
  readonly kernel: Kernel;
  /** Name of the plugin this context belongs to. */
  readonly plugin: string;

  constructor(kernel: Kernel, plugin: string) {
    this.kernel = kernel;
    this.plugin = plugin;
  }

  /** The kernel's validated options (pathname, maxLength, idGenerator). */
  get options(): KernelOptions {
    return this.kernel.options;
  }

  /** Register a lifecycle hook (`options`: order, and `plainRequest` for request hooks). Returns a function that removes it. */
  hook<N extends ServerHookName>(name: N, fn: ServerHooks[N], options?: HookOptions): () => void {
    return this.kernel.addHook(this.plugin, name, fn, options);
  }

  /** Provide a service under `token` (exclusive: a taken token is an error). */
  provide<T>(token: InjectionToken<T>, value: T): void {
    this.kernel.registry.provide(token, value, this.plugin);
  }

  /** Look up a service another plugin provides. */
  lookup<T>(token: InjectionToken<T>): T | undefined {
    return this.kernel.registry.lookup(token);
  }

  /**
   * The kernel's tsyringe container with every provided service, for
   * classes built by injection (`@injectable()`, `@inject(token)`). Loaded
   * on first use; `provide`/`lookup` never need it. Needs the optional
   * packages `tsyringe` and `reflect-metadata`.
   */
  get container(): InjectionContainer {
    return this.kernel.registry.container;
  }

  /** Answer control messages of `type` from clients. */
  control(type: string, handler: ControlHandler): void {
    this.kernel.addControl(this.plugin, type, handler);
  }

  /**
   * Add a property or method to every spark of this kernel (a getter or a
   * value). Declare its type by augmenting `SparkDecorations`:
   * `declare module 'allspark' { interface SparkDecorations { room: string } }`.
   * Throws when the name is taken; `override: true` may replace a member
   * of Spark itself (a plugin that knows client addresses better replaces `address`), never
   * another plugin's decoration.
   */
  decorateSpark(name: string, descriptor: PropertyDescriptor, options: { override?: boolean } = {}): void {
    this.kernel.decorateSpark(this.plugin, name, descriptor, options.override === true);
  }

  /**
   * Have the kernel take HTTP requests (not upgrades) for the exact `path`
   * although it is outside the pathname: they run through the kernel's
   * middleware and transformer like requests under it, and a layer of this
   * plugin answers them. Every other path outside the pathname stays with
   * the server's own listeners. Released when the plugin is plugged out.
   */
  claimPath(path: string): void {
    this.kernel.claimPath(this.plugin, path);
  }

  /**
   * Put a layer over the kernel's parser: `wrap` gets the codec of the
   * parser slot and returns one that may encode or decode some frames
   * itself (a plugin's compact frames) and hands the rest on. Applied to
   * whichever parser fills the slot; removed when the plugin is plugged
   * out. Keep `encode`/`decode` lean: every message passes through them.
   */
  layerParser(wrap: ParserLayer): void {
    this.kernel.layerParser(this.plugin, wrap);
  }

  /** Emit a `log` event on the kernel. */
  log(level: 'error' | 'warn' | 'info' | 'debug', ...args: unknown[]): void {
    this.kernel.log(level, ...args);
  }
}
