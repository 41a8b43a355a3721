#!/usr/bin/env bash
# Checks every published package (run after `pnpm build`): packs it with pnpm as a release would,
# then checks the tarball's manifest (no `workspace:` ranges, LICENSE inside), publint, and
# arethetypeswrong with its default profile (node10, node16 CJS/ESM and bundler resolution) on
# that same tarball; and in the source manifest, `publishConfig.access: public`, the prepack guard
# and LICENSE in `files`. Last, checks that `npm pack` is refused (it would ship `workspace:` ranges).
# Usage: scripts/check-packages.sh [packages/<name> ...]   (default: every package)
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dirs=("$@")
[ ${#dirs[@]} -eq 0 ] && dirs=(packages/*/)
for dir in "${dirs[@]}"; do
  dir=${dir%/}
  [ "$(node -p "Boolean(require('./${dir}/package.json').private)")" = "true" ] && continue
  name=$(node -p "require('./${dir}/package.json').name")
  echo "-- ${name}"
  node -e '
    const m = require(process.argv[1]);
    const bad = [];
    if (m.publishConfig?.access !== "public") bad.push("publishConfig.access must be \"public\" (a scoped package is private by default)");
    if (m.scripts?.prepack !== "node ../../scripts/guard-pack.mjs") bad.push("scripts.prepack must be \"node ../../scripts/guard-pack.mjs\"");
    if (!(m.files ?? []).includes("LICENSE")) bad.push("files must list LICENSE");
    if (bad.length) { console.error(m.name + ":\n  " + bad.join("\n  ")); process.exit(1); }
  ' "./${dir}/package.json"
  out="${tmp}/${dir##*/}"
  mkdir -p "$out"
  (cd "$dir" && pnpm pack --pack-destination "$out" >/dev/null)
  tarball=$(ls "$out"/*.tgz)
  node scripts/check-tarball.mjs "$tarball"
  pnpm exec publint "$dir" --strict
  # attw on the pnpm tarball: `attw --pack` would run `npm pack`, which the prepack guard refuses
  pnpm exec attw "$tarball" --format table-flipped
done
echo "-- npm pack is refused while manifests hold workspace: ranges"
if (cd packages/compression && npm pack --dry-run >"${tmp}/npm-pack.log" 2>&1); then
  echo "npm pack succeeded in packages/compression: the prepack guard (scripts/guard-pack.mjs) is not active" >&2
  exit 1
fi
grep -q "refusing to pack" "${tmp}/npm-pack.log"
echo "npm pack refused, as expected"
