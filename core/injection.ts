/**
 * Types of the registry's tokens and of the dependency-injection container
 * (`ctx.container`), declared here so allspark's typings never name the
 * optional `tsyringe` package: a project that does not install it compiles
 * (also with `skipLibCheck: false`). They describe tsyringe's API as far as
 * a plugin uses it; the object `ctx.container` returns is tsyringe's own
 * child container, and assigning it to tsyringe's `DependencyContainer`
 * type works.
 */

/** A class whose instances a container can build. */
export type Injectable<T> = new (...args: any[]) => T;

/** A token made by tsyringe's `delay(() => Class)`, for classes that depend on each other. */
export interface DelayedInjectable<T> {
  createProxy(createObject: (ctor: Injectable<T>) => T): T;
}

/** What services are provided and looked up under: a symbol, a string, a class or a delayed class. */
export type InjectionToken<T = any> = Injectable<T> | string | symbol | DelayedInjectable<T>;

/** How a container makes what it resolves a token to (tsyringe's providers). */
export type InjectionProvider<T> =
  | { useValue: T }
  | { useFactory(container: InjectionContainer): T }
  | { useToken: InjectionToken<T> }
  | { useClass: Injectable<T> | DelayedInjectable<T> };

/**
 * Called around a resolution (tsyringe's interceptors): `(token, resolutionType)` before,
 * `(token, result, resolutionType)` after; `resolutionType` is `Single` or `All`.
 */
export type ResolutionInterceptor<T> = (token: any, ...rest: any[]) => void;

/**
 * The kernel's dependency-injection container (tsyringe's child container):
 * register classes, factories and values, resolve them with their
 * `@inject(token)` constructor arguments.
 */
export interface InjectionContainer {
  register<T>(token: InjectionToken<T>, provider: InjectionProvider<T> | Injectable<T>, options?: { lifecycle: number }): InjectionContainer;
  registerSingleton<T>(from: InjectionToken<T>, to?: InjectionToken<T>): InjectionContainer;
  registerType<T>(from: InjectionToken<T>, to: InjectionToken<T>): InjectionContainer;
  registerInstance<T>(token: InjectionToken<T>, instance: T): InjectionContainer;
  resolve<T>(token: InjectionToken<T>): T;
  resolveAll<T>(token: InjectionToken<T>): T[];
  /** Is `token` registered here (or, with `recursive`, in a parent)? */
  isRegistered<T>(token: InjectionToken<T>, recursive?: boolean): boolean;
  reset(): void;
  clearInstances(): void;
  createChildContainer(): InjectionContainer;
  beforeResolution<T>(token: InjectionToken<T>, callback: ResolutionInterceptor<T>, options?: { frequency: string }): void;
  afterResolution<T>(token: InjectionToken<T>, callback: ResolutionInterceptor<T>, options?: { frequency: string }): void;
  dispose(): Promise<void> | void;
}
