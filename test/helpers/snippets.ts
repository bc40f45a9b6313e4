import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Code blocks of the user-facing Markdown (README, docs, examples'
 * READMEs), for the snippet tests. A block is checked by its language:
 * `ts` blocks are compiled strictly, `js` blocks are parsed. An HTML comment
 * on the line right above the fence changes that (it does not render):
 *
 *   <!-- snippet: skip -->   a fragment, not a program (`…`, undeclared names)
 *   <!-- snippet: run -->    compile, then run it with node: it must exit 0
 *
 * Docs written later need nothing else: every new block is checked.
 */
export interface Snippet {
  /** `docs/plugins.md:42` (the fence's line). */
  where: string;
  lang: 'ts' | 'js';
  mode: 'check' | 'run' | 'skip';
  code: string;
}

const LANGS: Record<string, Snippet['lang']> = { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js' };
const MARKER = /^<!--\s*snippet:\s*(skip|run)\b.*-->\s*$/;

/** The Markdown files users read: README.md, docs/*.md, examples/<name>/README.md. */
export function markdownFiles(root: string): string[] {
  const files = [join(root, 'README.md')];
  for (const dir of ['docs', 'examples']) {
    const base = join(root, dir);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base, { withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.md')) files.push(join(base, entry.name));
      if (entry.isDirectory() && existsSync(join(base, entry.name, 'README.md'))) files.push(join(base, entry.name, 'README.md'));
    }
  }
  return files.sort();
}

/** The ts/js code blocks of one Markdown file. */
export function snippetsOf(file: string, root: string): Snippet[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) body.push(lines[i].slice(open[1].length));
    const lang = LANGS[open[2].toLowerCase()];
    if (!lang) continue;
    const marker = MARKER.exec(lines[start - 1] ?? '');
    snippets.push({
      where: `${relative(root, file)}:${start + 1}`,
      lang,
      mode: marker ? (marker[1] as 'skip' | 'run') : 'check',
      code: body.join('\n'),
    });
  }
  return snippets;
}

/** Relative links (`[text](path#anchor)`) of one Markdown file, without the anchor. */
export function relativeLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  const links: string[] = [];
  for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = match[1];
    if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
    links.push(target.replace(/#.*$/, ''));
  }
  return links;
}
