import { AllsparkError, ErrorCodes } from './errors';

/**
 * An optional peer dependency (a transport, a parser, a broker client)
 * that the feature asking for it could not load.
 */
export class MissingPackageError extends AllsparkError {
  /** The npm package to install, e.g. `sockjs`. */
  readonly packageName: string;

  constructor(packageName: string, feature: string) {
    super(
      ErrorCodes.DEPENDENCY,
      `${feature} needs the optional package "${packageName}", which is not installed: run \`npm install ${packageName}\``,
    );
    this.name = 'MissingPackageError';
    this.packageName = packageName;
  }
}

/**
 * `require(pkg)` for a package allspark lists as an optional peer
 * dependency. When the package itself is not installed, throws a
 * {@link MissingPackageError} (`ALLSPARK_DEPENDENCY`) that names the
 * package, the feature that wanted it and the install command, without
 * Node's "Require stack:" list of allspark's own files. Any other failure
 * (the package is there but broken, or one of *its* dependencies is
 * missing) is rethrown as is, so the real cause stays visible.
 *
 * Call it where the feature is constructed (a plugin's server or client
 * half), never at module load: `require('allspark')` must work without
 * any optional package.
 *
 * @param pkg the package (or `package/subpath`) to load
 * @param feature what needs it, for the message: `Transformer "sockjs"`
 */
export function requireOptional<T = unknown>(pkg: string, feature: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(pkg) as T;
  } catch (err) {
    if (isMissing(err, pkg)) throw new MissingPackageError(packageOf(pkg), feature);
    throw err;
  }
}

/** True when `err` says that `pkg` itself cannot be found (not one of its dependencies). */
function isMissing(err: unknown, pkg: string): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e?.code !== 'MODULE_NOT_FOUND' || typeof e.message !== 'string') return false;
  // Node: "Cannot find module 'sockjs'\nRequire stack: …" (jest: "… 'sockjs' from 'file'").
  const missing = /^Cannot find module '([^']+)'/.exec(e.message)?.[1];
  return missing !== undefined && packageOf(missing) === packageOf(pkg);
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
