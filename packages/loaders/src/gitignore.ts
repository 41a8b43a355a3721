import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import ignore, { type Ignore } from "ignore";
import { glob } from "tinyglobby";

interface Rules {
  /** Absolute folder of the `.gitignore`. */
  dir: string;
  ig: Ignore;
}

/** `.gitignore` files above `root` up to the top of its git work tree (the folder holding `.git`). */
function ancestorGitignores(root: string): string[] {
  const found: string[] = [];
  let dir = dirname(root);
  if (existsSync(join(root, ".git"))) return found;
  for (let parent = dir; ; parent = dirname(parent)) {
    dir = parent;
    if (existsSync(join(dir, ".gitignore"))) found.push(join(dir, ".gitignore"));
    if (existsSync(join(dir, ".git"))) return found;
    if (dirname(dir) === dir) return []; // not inside a git work tree: only the folder's own rules
  }
}

/**
 * A predicate telling whether a path (POSIX, relative to `root`) is ignored by `.gitignore`
 * files: those under `root` at any depth and, when `root` is inside a git work tree, those of
 * its parent folders up to the top of that tree. Each file's rules apply to paths below its own
 * folder, as git applies them (matching by the `ignore` package, which implements the gitignore spec).
 */
export async function gitignoreFilter(root: string, exclude: string[]): Promise<(path: string) => boolean> {
  const absRoot = resolve(root);
  const inside = await glob("**/.gitignore", {
    cwd: absRoot,
    dot: true,
    ignore: exclude,
    followSymbolicLinks: false,
  });
  const files = [...ancestorGitignores(absRoot).reverse(), ...inside.sort().map((f) => join(absRoot, f))];
  const rules: Rules[] = [];
  for (const file of files) {
    const text = await readFile(file, "utf8").catch(() => "");
    rules.push({ dir: dirname(file), ig: ignore().add(text) });
  }
  if (rules.length === 0) return () => false;
  return (path) =>
    rules.some(({ dir, ig }) => {
      const rel = relative(dir, join(absRoot, path));
      if (rel.startsWith("..") || rel === "") return false;
      return ig.ignores(rel.split(sep).join("/"));
    });
}
