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
  })
  .strict();

/**
 * The browser client library: one self-contained script built from the
 * prebuilt chunks of the kernel's active plugins, served at
 * `<pathname>/primus.js` (with an ETag) and provided to other plugins as
 * {@link LibraryService} (`primus.library()`, `primus.save()`).
 * Reassembled whenever a plugin is added or removed.
 */
export const clientLibrary = definePlugin({
  name: 'client-library',
  dependencies: ['middleware'],
  options: clientLibraryOptions,
  server(ctx, { global }) {
    const kernel = ctx.kernel;
    const library = new ClientLibrary(kernel, global, (message) => ctx.log('warn', message));
    const invalidate = (): void => library.invalidate();
    kernel.on('plugin', invalidate);
    kernel.on('plugout', invalidate);
    ctx.provide(LIBRARY, library);
    const route = routeUnder(ctx.options.pathname, 'primus.js');
    addLayer(ctx, 'primus.js', libraryRoute(route, library));
    return () => {
      kernel.off('plugin', invalidate);
      kernel.off('plugout', invalidate);
    };
  },
});

export { LIBRARY, type LibraryService, ClientLibrary };
export { assembleLibrary } from './assemble';
export { libraryFile } from './file';
