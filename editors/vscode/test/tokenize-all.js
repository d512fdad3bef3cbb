// Tokenises every syntactically valid `.infra` file of the repository with the TextMate
// grammar and fails when one leaves a rule open at its end (an unclosed string, heredoc,
// interpolation, bracket or comment: the colouring would bleed into the rest of the file) or
// when a top-level statement keyword is not coloured as a declaration.
// Usage: node tokenize-all.js <node_modules dir> <repo root>
'use strict';

const fs = require('fs');
const path = require('path');

const [modules, root] = process.argv.slice(2);
const vsctm = require(path.join(modules, 'vscode-textmate'));
const onig = require(path.join(modules, 'vscode-oniguruma'));
const { validInfraFiles } = require('../../valid-infra-files.js');

async function main() {
  const wasm = fs.readFileSync(path.join(modules, 'vscode-oniguruma', 'release', 'onig.wasm'));
  await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new onig.OnigScanner(sources),
      createOnigString: (s) => new onig.OnigString(s),
    }),
    loadGrammar: async () => {
      const file = path.join(__dirname, '..', 'syntaxes', 'infra.tmLanguage.json');
      return vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
  });
  const grammar = await registry.loadGrammar('source.infra');
  const files = validInfraFiles(root);
  const failures = [];
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    let stack = vsctm.INITIAL;
    lines.forEach((line, i) => {
      const result = grammar.tokenizeLine(line, stack);
      const m = /^(\s*)(param|let|resource|existing|module|output|environment|import)\b/.exec(line);
      if (m && stack === vsctm.INITIAL) {
        const col = m[1].length;
        const token = result.tokens.find((t) => t.startIndex <= col && col < t.endIndex);
        if (!token || !token.scopes.some((s) => s.startsWith('keyword.declaration.'))) {
          failures.push(`${file}:${i + 1}: \`${m[2]}\` not coloured as a declaration`);
        }
      }
      for (const t of result.tokens) {
        if (t.scopes.some((s) => s.startsWith('invalid'))) {
          failures.push(`${file}:${i + 1}:${t.startIndex + 1}: invalid token`);
        }
      }
      stack = result.ruleStack;
    });
    if (stack !== vsctm.INITIAL && stack.depth > 1) {
      failures.push(`${file}: a rule is still open at the end of the file (depth ${stack.depth})`);
    }
  }
  if (failures.length > 0) {
    console.error(failures.join('\n'));
    console.error(`${failures.length} problem(s) in ${files.length} files`);
    process.exit(1);
  }
  console.log(`tokenised ${files.length} .infra files: every statement closes and every keyword is coloured`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
