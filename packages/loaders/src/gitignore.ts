import { readFile } from "node:fs/promises";
import { dirname, posix } from "node:path";
import ignore, { type Ignore } from "ignore";
import { glob } from "tinyglobby";

/**
 * A predicate telling whether a path (POSIX, relative to `root`) is ignored by the `.gitignore`
 * files under `root`: each file's rules apply to paths below its own folder, as git applies them
 * (matching by the `ignore` package, which implements the gitignore spec).
 */
export async function gitignoreFilter(root: string, exclude: string[]): Promise<(path: string) => boolean> {
  const files = await glob("**/.gitignore", {
    cwd: root,
    dot: true,
    ignore: exclude,
    followSymbolicLinks: false,
  });
  const rules: Array<{ dir: string; ig: Ignore }> = [];
  for (const file of files.sort()) {
    const text = await readFile(`${root}/${file}`, "utf8").catch(() => "");
    const dir = dirname(file) === "." ? "" : dirname(file);
    rules.push({ dir, ig: ignore().add(text) });
  }
  if (rules.length === 0) return () => false;
  return (path) =>
    rules.some(({ dir, ig }) => {
      if (dir === "") return ig.ignores(path);
      if (!path.startsWith(`${dir}/`)) return false;
      return ig.ignores(posix.relative(dir, path));
    });
}
