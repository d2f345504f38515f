// The conventions every tools CLI follows (replay, demo): node:util parseArgs in strict mode;
// `--help` on stdout with exit 0; `--version`; usage errors on stderr, exit 2, no stack trace; a
// transient progress line on stderr only when it is a terminal.

import { readFileSync } from "node:fs";
import { type ParseArgsConfig, parseArgs } from "node:util";

/** Exit codes: 0 success, 1 the work found a problem (a divergence), 2 the command line was wrong. */
export const EXIT_USAGE = 2;

/** An error in how the command was called: reported as one line on stderr, exit 2. */
export class UsageError extends Error {}

/** The maplemm version the tools run against: @maplemm/mm's package.json. */
export function versionLine(program: string): string {
  const read = (rel: string): string =>
    (JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as { version: string })
      .version;
  return `${program} (maplemm tools ${read("../package.json")}, @maplemm/mm ${read("../../packages/mm/package.json")})`;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses `argv` strictly. `--help` prints `help` to stdout and exits 0; `--version` prints the
 * version line and exits 0; any parse error becomes a UsageError.
 */
export function parseCommandLine<O extends Options>(
  program: string,
  argv: string[],
  options: O,
  help: string,
) {
  let parsed: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        ...options,
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
      } as O,
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const values = parsed.values as Record<string, unknown>;
  if (values.help === true) {
    process.stdout.write(help.endsWith("\n") ? help : `${help}\n`);
    process.exit(0);
  }
  if (values.version === true) {
    console.log(versionLine(program));
    process.exit(0);
  }
  return parsed;
}

/** Calls `fn`; a UsageError prints `program: message` and a hint on stderr and exits 2. */
export function orUsageExit<T>(program: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${program}: ${err.message}\nTry 'pnpm ${program} --help'.\n`);
    process.exit(EXIT_USAGE);
  }
}

/** Runs `main`; a UsageError prints `program: message` and a hint on stderr and exits 2. */
export async function runCli(program: string, main: () => Promise<number> | number): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${program}: ${err.message}\nTry 'pnpm ${program} --help'.\n`);
    process.exitCode = EXIT_USAGE;
  }
}

/**
 * A progress line on stderr that appears only when stderr is a terminal and the work has run for
 * `afterMs` (MAPLEMM_PROGRESS_AFTER_MS overrides it, for tests), rewritten in place, and erased by
 * `done()`.
 */
export function progressLine(afterMs = 2000): { update(text: string): void; done(): void } {
  const envMs = process.env.MAPLEMM_PROGRESS_AFTER_MS;
  if (envMs !== undefined && envMs !== "") afterMs = Number(envMs);
  const t0 = performance.now();
  let shown = false;
  const on = process.stderr.isTTY === true;
  return {
    update(text) {
      if (!on || performance.now() - t0 < afterMs) return;
      const cols = process.stderr.columns ?? 80;
      process.stderr.write(`\r\x1b[2K${text.slice(0, cols - 1)}`);
      shown = true;
    },
    done() {
      if (shown) process.stderr.write("\r\x1b[2K");
      shown = false;
    },
  };
}
