import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { container as rootContainer, delay, inject, injectable, type DependencyContainer } from 'tsyringe';
import { createKernel, definePlugin, ErrorCodes, type AllsparkError } from '../index';

const GREETING = Symbol('greeting');

@injectable()
class Greeter {
  constructor(@inject(GREETING) readonly greeting: string) {}
  greet(name: string): string {
    return `${this.greeting}, ${name}`;
  }
}

describe('registry', () => {
  test('provide/lookup work without building the tsyringe container', () => {
    const kernel = createKernel().use(definePlugin({ name: 'greeting', server: (ctx) => ctx.provide(GREETING, 'hello') }));
    expect(kernel.registry.lookup(GREETING)).toBe('hello');
    expect(kernel.registry.lookup(Symbol('other'))).toBeUndefined();
  });

  test('ctx.container injects services other plugins provide', () => {
    let built: Greeter | undefined;
    const kernel = createKernel()
      .use(definePlugin({ name: 'greeting', server: (ctx) => ctx.provide(GREETING, 'hello') }))
      .use(
        definePlugin({
          name: 'greeter',
          dependencies: ['greeting'],
          server: (ctx) => {
            built = ctx.container.resolve(Greeter);
            ctx.container.registerSingleton(Greeter);
          },
        }),
      );
    expect(built!.greet('spark')).toBe('hello, spark');
    // A class registered on the container resolves through lookup as well.
    expect(kernel.registry.lookup(Greeter)!.greet('kernel')).toBe('hello, kernel');
  });

  test('services provided after the container was built reach it too, and plugout removes them', () => {
    const kernel = createKernel();
    const container = kernel.registry.container;
    kernel.use(definePlugin({ name: 'greeting', server: (ctx) => ctx.provide(GREETING, 'hi') }));
    expect(kernel.registry.container.resolve<string>(GREETING)).toBe('hi');
    expect(kernel.plugout('greeting')).toBe(true);
    expect(kernel.registry.lookup(GREETING)).toBeUndefined();
    expect(kernel.registry.container.isRegistered(GREETING, true)).toBe(false);
    expect(kernel.registry.container).not.toBe(container);
  });

  test('a taken token is refused with ALLSPARK_SLOT and keeps its owner', () => {
    const kernel = createKernel().use(definePlugin({ name: 'a', server: (ctx) => ctx.provide(GREETING, 'a') }));
    let error: AllsparkError | undefined;
    try {
      kernel.use(definePlugin({ name: 'b', server: (ctx) => ctx.provide(GREETING, 'b') }));
    } catch (err) {
      error = err as AllsparkError;
    }
    expect(error?.code).toBe(ErrorCodes.SLOT);
    expect(error?.message).toMatch(/plugin "a" already provides it/);
    expect(kernel.registry.lookup(GREETING)).toBe('a');
    expect(kernel.registry.ownerOf(GREETING)).toBe('a');
  });

  test("ctx.container is tsyringe's own child container and types as tsyringe's DependencyContainer", () => {
    const kernel = createKernel().use(definePlugin({ name: 'g', server: (ctx) => ctx.provide(GREETING, 'typed') }));
    // allspark's typings declare the container without naming tsyringe; tsyringe's type takes it as is.
    const typed: DependencyContainer = kernel.registry.container;
    expect(typed.resolve<string>(GREETING)).toBe('typed');
    expect(Object.getPrototypeOf(typed)).toBe(Object.getPrototypeOf(rootContainer));
    // A delayed class is a token too.
    const delayed = delay(() => Greeter);
    const late = new Greeter('late');
    kernel.use(definePlugin({ name: 'lazy', server: (ctx) => ctx.provide(delayed, late) }));
    expect(kernel.registry.lookup(delayed)).toBe(late);
  });

  test('two kernels never share containers', () => {
    const k1 = createKernel().use(definePlugin({ name: 'g', server: (ctx) => ctx.provide(GREETING, 'one') }));
    const k2 = createKernel();
    expect(k1.registry.container.resolve<string>(GREETING)).toBe('one');
    expect(k2.registry.container.isRegistered(GREETING, true)).toBe(false);
  });

  test('a websockets + json server never loads tsyringe or reflect-metadata (built dist)', () => {
    const dist = join(__dirname, '..', 'dist');
    const script = `
      const { createKernel } = require(${JSON.stringify(join(dist, 'core'))});
      const { websockets } = require(${JSON.stringify(join(dist, 'transformers/websockets'))});
      const { jsonParserPlugin } = require(${JSON.stringify(join(dist, 'plugins/json-parser'))});
      const kernel = createKernel().use(websockets).use(jsonParserPlugin);
      kernel.listen(0, '127.0.0.1').then(() => {
        const loaded = Object.keys(require.cache).filter((f) => /node_modules[\\/](tsyringe|reflect-metadata)[\\/]/.test(f));
        process.stdout.write(JSON.stringify(loaded));
        return kernel.close();
      });`;
    expect(JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }))).toEqual([]);
  });
});
