import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

// Unit tests of the playground's pure pieces (pictures, SVG, the script parser) run with the rest
// of the repo; the browser tests (test/*.browser.ts) run from vitest.browser.config.ts.
export default mergeConfig(shared, defineProject({ test: { name: "@maplemm/playground" } }));
