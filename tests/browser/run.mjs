#!/usr/bin/env node
// The browser tests: one `mufakat serve --demo` for the whole suite (its demo seeding takes
// seconds), then node's test runner over tests/*.test.mjs, one file at a time.
// Usage: node run.mjs [MUFAKAT_BINARY] [TEST_FILE...]   (default binary: $MUFAKAT_BIN, else
// ../../target/debug/mufakat). Exits non-zero when a test fails.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { browserDir, outputRoot, startServer } from './lib/server.mjs';

const args = process.argv.slice(2);
if (args[0] && !args[0].endsWith('.mjs')) process.env.MUFAKAT_BIN = path.resolve(args.shift());
const files = args.length
  ? args
  : fs.readdirSync(path.join(browserDir, 'tests')).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => path.join('tests', f));

const started = Date.now();
fs.mkdirSync(outputRoot, { recursive: true });
const server = await startServer('server');
console.log(`server ready at ${server.url} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => { await server.stop(); process.exit(130); });
}
let code = 1;
try {
  code = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
      cwd: browserDir,
      stdio: 'inherit',
      env: { ...process.env, MUFAKAT_E2E_URL: server.url, MUFAKAT_E2E_PASSWORD: server.password },
    });
    child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0)));
  });
} finally {
  await server.stop();
}
const internal = server.stderr().split('\n').filter((l) => /internal error|panicked/i.test(l));
if (internal.length) {
  console.error(`the server logged ${internal.length} internal error(s) (output/server/server.log):\n${internal.slice(0, 10).join('\n')}`);
  code = code || 1;
}
console.log(`browser tests finished in ${((Date.now() - started) / 1000).toFixed(1)} s (screenshots and budgets.json in ${path.relative(process.cwd(), outputRoot) || '.'})`);
process.exit(code);
