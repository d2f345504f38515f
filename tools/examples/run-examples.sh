#!/usr/bin/env bash
# Runs every packages/*/examples/*.ts as a user would: the three packages packed with `pnpm pack`
# (prepack builds dist/), installed from the tarballs into a fresh temporary project, type-checked
# with skipLibCheck: false, then run under Node (through tsx), Bun and Deno. Files named
# *-worker.ts are started by their main example, not run on their own.
# Usage: tools/examples/run-examples.sh [runtime...]   (default: node bun deno)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runtimes=("$@")
[[ ${#runtimes[@]} -eq 0 ]] && runtimes=(node bun deno)
tmp="$(mktemp -d "${TMPDIR:-/tmp}/maplemm-examples.XXXXXX")"
trap '[[ -n "${KEEP:-}" ]] || rm -rf "$tmp"' EXIT

tsx_version=$(node -p 'require(process.argv[1]).devDependencies.tsx' "$root/package.json")
ts_version=$(node -p 'require(process.argv[1]).devDependencies.typescript' "$root/package.json")
types_node=$(node -p 'require(process.argv[1]).devDependencies["@types/node"]' "$root/package.json")

mkdir -p "$tmp/tgz" "$tmp/proj/examples"
for p in maple-tree rcu mm; do
  (cd "$root/packages/$p" && pnpm pack --pack-destination "$tmp/tgz" >/dev/null)
  if [[ -d "$root/packages/$p/examples" ]]; then
    cp -r "$root/packages/$p/examples" "$tmp/proj/examples/$p"
  fi
done

cd "$tmp/proj"
cat >package.json <<'JSON'
{ "name": "maplemm-examples", "private": true, "type": "module" }
JSON
cat >tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "es2022",
    "lib": ["es2024", "esnext.disposable"],
    "module": "nodenext",
    "strict": true,
    "noEmit": true,
    "skipLibCheck": false,
    "types": ["node"]
  },
  "include": ["examples"]
}
JSON
npm install --no-audit --no-fund --loglevel=error --prefer-offline \
  "$tmp"/tgz/*.tgz "tsx@$tsx_version" "typescript@$ts_version" "@types/node@$types_node" >/dev/null
echo "installed: $(cd "$tmp/tgz" && ls)"

echo "== tsc (skipLibCheck: false): the examples"
node_modules/.bin/tsc -p tsconfig.json

# A consumer with TypeScript's defaults (no "types", so no @types/node; the es2022 lib, which has
# no Symbol.dispose): every entry's declarations must still compile.
mkdir -p consumer
cat >consumer/index.ts <<'TS'
import * as tree from "@maplemm/maple-tree";
import * as kernel from "@maplemm/maple-tree/kernel";
import * as mm from "@maplemm/mm";
import * as rcu from "@maplemm/rcu";
export const entries = [tree, kernel, mm, rcu];
TS
cat >consumer/tsconfig.json <<'JSON'
{
  "compilerOptions": { "target": "es2022", "module": "nodenext", "skipLibCheck": false, "noEmit": true },
  "include": ["index.ts"]
}
JSON
echo "== tsc (skipLibCheck: false, default types, es2022): a consumer of every entry"
node_modules/.bin/tsc -p consumer/tsconfig.json

bin="$root/node_modules/.bin"
run() {
  case "$1" in
    node) node --import tsx "$2" ;;
    bun) "$bin/bun" "$2" ;;
    deno) "$bin/deno" run --allow-all --quiet "$2" ;;
  esac
}
failed=0
total=0
for rt in "${runtimes[@]}"; do
  echo "== $rt $("$bin/$rt" --version 2>/dev/null | head -1 || node --version)"
  for f in examples/*/*.ts; do
    [[ "$f" == *-worker.ts ]] && continue
    only=$(sed -n 's#^// runtimes: ##p' "$f" | head -1)
    if [[ -n "$only" && " $only " != *" $rt "* ]]; then
      echo "skip $rt $f (runtimes: $only)"
      continue
    fi
    total=$((total + 1))
    if out=$(timeout 60 bash -c "$(declare -f run); bin='$bin'; run '$rt' '$f'" 2>&1); then
      echo "ok   $rt $f"
    else
      failed=$((failed + 1))
      echo "FAIL $rt $f"
      echo "$out" | sed 's/^/     /' | tail -20
    fi
  done
done
echo "examples: $((total - failed)) of $total runs passed"
[[ $failed -eq 0 ]]
