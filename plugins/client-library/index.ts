import { z } from 'zod/v3';
import { definePlugin } from '../../core/plugin';
import { addLayer } from '../middleware';
import { routeUnder } from '../../core/http';
import { LIBRARY, type LibraryService } from './token';
import { ClientLibrary } from './library';
import { libraryRoute } from './route';

export const clientLibraryOptions = z
  .object({
    /** Name of the global (and CommonJS/AMD export) the library defines. Default `Primus`. */
    global: z.string().min(1).default('Primus'),
    /**
     * Also serve the library at `<pathname>.js` (`/primus.js` for `/primus`), for
     * `<script src="/primus.js">`. Only that one path outside the pathname becomes
     * the kernel's; every other one stays with the server's own listeners. The
     * Primus facade turns it on. Default `false`.
     */
    alias: z.boolean().default(false),
  })
  .strict();

/**
 * The browser client library: one self-contained script built from the
 * prebuilt chunks of the kernel's active plugins, served at
 * `<pathname>/primus.js` (with an ETag; with `alias`, at `<pathname>.js`
 * too) and provided to other plugins as {@link LibraryService}
 * (`primus.library()`, `primus.save()`).
 * Reassembled whenever a plugin is added or removed.
 */
export const clientLibrary = definePlugin({
  name: 'client-library',
  dependencies: ['middleware'],
  options: clientLibraryOptions,
  server(ctx, { global, alias }) {
    const kernel = ctx.kernel;
    const library = new ClientLibrary(kernel, global, (message) => ctx.log('warn', message));
    const invalidate = (): void => library.invalidate();
    kernel.on('plugin', invalidate);
    kernel.on('plugout', invalidate);
    ctx.provide(LIBRARY, library);
    const route = routeUnder(ctx.options.pathname, 'primus.js');
    const aliasRoute = alias ? scriptAlias(ctx.options.pathname) : undefined;
    if (aliasRoute !== undefined) ctx.claimPath(aliasRoute);
    addLayer(ctx, 'primus.js', libraryRoute(route, library, aliasRoute));
    return () => {
      kernel.off('plugin', invalidate);
      kernel.off('plugout', invalidate);
    };
  },
});

/**
 * `<pathname>.js`, or undefined for the pathname `/`, under which the
 * library's own route `/primus.js` lies already.
 */
export function scriptAlias(pathname: string): string | undefined {
  const base = pathname.replace(/\/$/, '');
  return base === '' ? undefined : `${base}.js`;
}

export { LIBRARY, type LibraryService, ClientLibrary };
export { assembleLibrary } from './assemble';
export { libraryFile } from './file';
