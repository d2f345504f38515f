import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

// isolate: false — the test files of this package share one module graph per worker instead of
// importing (and transforming) src/ afresh for each file. The package keeps no module-level state
// (house rule), so a file cannot see another's; it cut the package's test CPU time by a quarter
// (maple-tree) to a half (mm) on the 2-core CI machine.
export default mergeConfig(
  shared,
  defineProject({ test: { name: "@maplemm/maple-tree", isolate: false } }),
);
