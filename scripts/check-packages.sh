#!/usr/bin/env bash
# publint and arethetypeswrong on every published package (run after `pnpm build`).
set -euo pipefail
cd "$(dirname "$0")/.."
for dir in packages/*/; do
  name=$(node -p "require('./${dir}package.json').name")
  echo "-- ${name}"
  pnpm exec publint "$dir" --strict
  pnpm exec attw --pack "$dir" --profile node16 --format table-flipped
done
