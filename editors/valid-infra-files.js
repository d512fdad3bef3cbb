// The syntactically valid `.infra` files of the repository, which every editor grammar must
// read without error: all of them but the malformed fixtures and the syntax tests whose
// expected output holds a syntax error (E01xx). Shared by the TextMate and tree-sitter checks.
// As a program: `node valid-infra-files.js <repo root>` prints them, one per line.
'use strict';

const fs = require('fs');
const path = require('path');

function isValid(file) {
  if (file.includes(`${path.sep}malformed${path.sep}`)) return false;
  const expected = file.replace(/\.infra$/, '.expected');
  if (fs.existsSync(expected) && /\bE01\d\d\b/.test(fs.readFileSync(expected, 'utf8'))) return false;
  return true;
}

function walk(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (['target', 'node_modules', '.git', '.ci', '.infra'].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.name.endsWith('.infra') && !entry.name.endsWith('.test.infra')) out.push(full);
  }
  return out;
}

function validInfraFiles(root) {
  return walk(root, []).filter(isValid).sort();
}

module.exports = { validInfraFiles };

if (require.main === module) {
  for (const file of validInfraFiles(process.argv[2] || '.')) console.log(file);
}
