import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

// isolate: false — the test files of this package share one module graph per worker instead of
// importing (and transforming) src/ afresh for each file. The package keeps no module-level state
// (house rule), so a file cannot see another's; the CPU time saved is in
// docs/reports/2026-12-08-ci-time.md.
export default mergeConfig(
  shared,
  defineProject({ test: { name: "@maplemm/mm", isolate: false } }),
);
