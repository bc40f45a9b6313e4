/** The allspark package version, found from source (`core/`) and from the build (`dist/core/`). */
function findVersion(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(path) as { name?: string; version?: string };
      if (pkg.name === 'allspark' && pkg.version) return pkg.version;
    } catch {
      // not at this depth; try the next
    }
  }
  return '0.0.0';
}

export const VERSION: string = findVersion();
