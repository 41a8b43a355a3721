#!/usr/bin/env node
// Checks packed tarballs the way a user receives them: the manifest inside has no `workspace:`
// range left (pnpm replaces them when it packs), has the registry metadata (license Apache-2.0,
// description, author, homepage, bugs, keywords, repository with directory), and the tarball
// carries the LICENSE.
// Usage: node scripts/check-tarball.mjs <package.tgz>...
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const fields = ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies"];
let failures = 0;
for (const tarball of process.argv.slice(2)) {
  const dir = mkdtempSync(join(tmpdir(), "ragloom-tarball-"));
  try {
    execFileSync("tar", ["-xzf", tarball, "-C", dir]);
    const manifest = JSON.parse(readFileSync(join(dir, "package", "package.json"), "utf8"));
    const problems = fields.flatMap((field) =>
      Object.entries(manifest[field] ?? {})
        .filter(([, range]) => String(range).includes("workspace:"))
        .map(([name, range]) => `${field}.${name} is still "${range}"`),
    );
    const license = join(dir, "package", "LICENSE");
    if (!existsSync(license) || statSync(license).size === 0) problems.push("no LICENSE in the tarball");
    if (manifest.license !== "Apache-2.0") problems.push(`license is ${manifest.license}, not Apache-2.0`);
    for (const field of ["description", "author", "homepage", "bugs", "keywords"])
      if (!manifest[field] || manifest[field].length === 0) problems.push(`no ${field}`);
    if (!manifest.repository?.url || !manifest.repository?.directory)
      problems.push("repository needs a url and the package's directory");
    if (problems.length > 0) {
      failures += 1;
      console.error(`${manifest.name}@${manifest.version}:\n  ${problems.join("\n  ")}`);
    } else {
      console.log(`${manifest.name}@${manifest.version}: manifest has no workspace: ranges, LICENSE packed`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
process.exit(failures > 0 ? 1 : 0);
