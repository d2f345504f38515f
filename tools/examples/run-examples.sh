#!/usr/bin/env bash
# Runs every packages/*/examples/*.ts as a user would: the three packages packed with `pnpm pack`
# (prepack builds dist/), installed from the tarballs into a fresh temporary project, type-checked
# with skipLibCheck: false and compiled to .js, then run under Node (the compiled .js, as a Node 20
# user runs TypeScript: Node 20 cannot start a .ts worker), Bun and Deno (both from the .ts source).
# Files named *-worker.ts are started by their main example, not run on their own.
# Usage: tools/examples/run-examples.sh [runtime...]   (default: node bun deno)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runtimes=("$@")
[[ ${#runtimes[@]} -eq 0 ]] && runtimes=(node bun deno)
tmp="$(mktemp -d "${TMPDIR:-/tmp}/maplemm-examples.XXXXXX")"
trap '[[ -n "${KEEP:-}" ]] || rm -rf "$tmp"' EXIT

# The toolchain comes from the repo (pinned there); the project itself gets only the tarballs.
tsc="$root/node_modules/.bin/tsc"

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
cat >tsconfig.json <<JSON
{
  "compilerOptions": {
    "typeRoots": ["$root/node_modules/@types"],
    "target": "es2022",
    "lib": ["es2024", "esnext.disposable"],
    "module": "nodenext",
    "strict": true,
    "outDir": "build",
    "rootDir": "examples",
    "skipLibCheck": false,
    "types": ["node"]
  },
  "include": ["examples"]
}
JSON
npm install --no-audit --no-fund --loglevel=error --prefer-offline "$tmp"/tgz/*.tgz >/dev/null
echo "installed ($SECONDS s): $(cd "$tmp/tgz" && ls | tr "\n" " ")"


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
# The examples are type-checked and compiled (build/) before the runtimes start, since Node runs the
# compiled files; the consumer check runs beside the runtimes. Both results are read at the end.
"$tsc" -p tsconfig.json >"$tmp/tsc-examples.log" 2>&1 &
tsc_examples=$!
wait "$tsc_examples" && tsc_examples_rc=0 || tsc_examples_rc=$?
echo "compiled ($SECONDS s)"
"$tsc" -p consumer/tsconfig.json >"$tmp/tsc-consumer.log" 2>&1 &
tsc_consumer=$!

bin="$root/node_modules/.bin"
run() {
  case "$1" in
    node) local js="build/${2#examples/}" && node "${js%.ts}.js" ;;
    bun) "$bin/bun" "$2" ;;
    deno) "$bin/deno" run --allow-all --quiet "$2" ;;
  esac
}
# One runtime's pass over every example; prints its lines and ends with "<runs> <failures>".
run_all() {
  local rt=$1 total=0 failed=0 f only out
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
  echo "$total $failed"
}

echo "== runtimes ($SECONDS s)"
# The runtimes run side by side (each example is mostly waiting on its own process start).
runners=()
for rt in "${runtimes[@]}"; do
  run_all "$rt" >"$tmp/$rt.log" 2>&1 &
  runners+=($!)
done
wait "${runners[@]}"
failed=0
total=0
for rt in "${runtimes[@]}"; do
  sed '$d' "$tmp/$rt.log"
  read -r t f < <(tail -1 "$tmp/$rt.log")
  total=$((total + t))
  failed=$((failed + f))
done
echo "examples: $((total - failed)) of $total runs passed ($SECONDS s)"
tsc_failed=0
check_tsc() {
  if [[ "$2" == rc:0 ]] || { [[ "$2" != rc:* ]] && wait "$2"; }; then
    echo "ok   tsc (skipLibCheck: false) $1"
  else
    tsc_failed=1
    echo "FAIL tsc (skipLibCheck: false) $1"
    sed 's/^/     /' "$3"
  fi
}
check_tsc "examples (types: node), compiled to build/" "rc:$tsc_examples_rc" "$tmp/tsc-examples.log"
check_tsc "consumer of every entry (default types, es2022 lib)" "$tsc_consumer" "$tmp/tsc-consumer.log"
echo "done in $SECONDS s"
[[ $failed -eq 0 && $tsc_failed -eq 0 ]]
