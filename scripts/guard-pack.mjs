#!/usr/bin/env node
// prepack guard of every package: `workspace:` ranges are pnpm's and only pnpm (or Yarn and Bun,
// which also rewrite them) turns them into real versions when it packs. `npm pack` / `npm publish`
// would ship them as they are, and the published package could not be installed. Fails the pack
// when a manifest with `workspace:` ranges is packed by any other client.
import { readFileSync } from "node:fs";

const agent = process.env.npm_config_user_agent ?? "";
const rewrites = /^(pnpm|yarn|bun)\//.test(agent);
const manifest = JSON.parse(readFileSync("package.json", "utf8"));
const fields = ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies"];
const leaks = fields.flatMap((field) =>
  Object.entries(manifest[field] ?? {})
    .filter(([, range]) => String(range).startsWith("workspace:"))
    .map(([name, range]) => `${field}.${name}: ${range}`),
);
if (!rewrites && leaks.length > 0) {
  console.error(
    `${manifest.name}: refusing to pack with ${agent.split(" ")[0] || "an unknown client"}; ` +
      `these ranges would be published as they are:\n  ${leaks.join("\n  ")}\n` +
      "Pack and publish with pnpm (`pnpm pack`, `pnpm publish`, `pnpm changeset publish`), which " +
      "replaces `workspace:` ranges with the versions of the workspace packages.",
  );
  process.exit(1);
}
