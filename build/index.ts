/**
 * `allspark/build`: bundle a plugin's browser client half once, at the
 * plugin's build time, from TypeScript. The output is a small script that
 * registers the half (`registerHalf` from `allspark/browser`) and that the
 * generated client library pastes in (the plugin's `library`), so the half
 * may import helpers and npm packages: nothing travels as
 * `Function.prototype.toString` text.
 *
 * Needs esbuild in the plugin's project (`npm install --save-dev esbuild`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { AllsparkError, ErrorCodes } from '../core/errors';

/** Options of {@link buildClientHalf}. */
export interface ClientHalfBuild {
  /** The browser entry, e.g. `src/browser.ts` (relative to `root`). */
  entry: string;
  /** Where to write the script (relative to `root`); without it, only returned. */
  outfile?: string;
  /** The plugin package's folder. Default `process.cwd()`. */
  root?: string;
  /** Minify (default true). */
  minify?: boolean;
  /** Import paths to replace, as esbuild's `alias` (a monorepo mapping `allspark/browser` to source). */
  alias?: Record<string, string>;
}

/** Server-side packages a browser half must not pull in (allspark itself: only `allspark/browser`). */
const SERVER_ONLY = /^(?:node:.*|allspark|allspark\/(?!browser$).*|zod(?:\/.*)?|ws|tsyringe|reflect-metadata)$/;
const BUILTINS = new Set(builtinModules);

type Esbuild = typeof import('esbuild');

function esbuildFrom(root: string): Esbuild {
  try {
    return createRequire(join(root, 'package.json'))('esbuild') as Esbuild;
  } catch {
    throw new AllsparkError(
      ErrorCodes.PLUGIN_INVALID,
      'buildClientHalf needs esbuild in your project: npm install --save-dev esbuild',
    );
  }
}

/**
 * Bundle `entry` into a minified ES2017 IIFE for the client library.
 * Fails, naming the importing file, when the half would bundle server-only
 * code (Node built-ins, zod, ws, the `allspark` server entry).
 */
export async function buildClientHalf(options: ClientHalfBuild): Promise<string> {
  const root = options.root ?? process.cwd();
  const esbuild = esbuildFrom(root);
  const refused: string[] = [];
  let code: string;
  try {
    const result = await esbuild.build({
      entryPoints: [isAbsolute(options.entry) ? options.entry : join(root, options.entry)],
      absWorkingDir: root,
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2017',
      minify: options.minify ?? true,
      write: false,
      legalComments: 'none',
      logLevel: 'silent',
      alias: options.alias,
      plugins: [
        {
          name: 'allspark-server-only',
          setup(build) {
            build.onResolve({ filter: /.*/ }, (args) => {
              if (!SERVER_ONLY.test(args.path) && !BUILTINS.has(args.path)) return undefined;
              refused.push(`"${args.path}" (imported by ${relative(root, args.importer)})`);
              return { path: args.path, external: true };
            });
          },
        },
      ],
    });
    code = result.outputFiles[0].text;
  } catch (err) {
    const errors = (err as { errors?: Array<{ text: string }> }).errors ?? [{ text: String(err) }];
    throw new AllsparkError(ErrorCodes.PLUGIN_INVALID, `Browser half ${options.entry}: ${errors.map((e) => e.text).join('; ')}`);
  }
  if (refused.length > 0) {
    throw new AllsparkError(
      ErrorCodes.PLUGIN_INVALID,
      `Browser half ${options.entry} imports server-only code: ${refused.join(', ')}; import only types from "allspark" and registerHalf from "allspark/browser"`,
    );
  }
  if (options.outfile) {
    const file = isAbsolute(options.outfile) ? options.outfile : join(root, options.outfile);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, code);
  }
  return code;
}
