// Starts a fresh `mufakat serve --demo` for one test file: its own data directory, a free port
// on 127.0.0.1, and the demo password read from its stdout. Stopped (and its data removed) by
// `stop()`; the server's stderr is kept in output/<test>/server.log.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const browserDir = path.resolve(here, '..');
export const repoRoot = path.resolve(browserDir, '..', '..');
export const outputRoot = path.join(browserDir, 'output');

/** The binary under test: $MUFAKAT_BIN, else the repository's debug build. */
export function binary() {
  const bin = process.env.MUFAKAT_BIN || path.join(repoRoot, 'target', 'debug', 'mufakat');
  const abs = path.resolve(repoRoot, bin);
  if (!fs.existsSync(abs)) throw new Error(`no mufakat binary at ${abs} (set MUFAKAT_BIN)`);
  return abs;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value or the deadline passes. */
export async function until(what, fn, { timeout = 15000, every = 100 } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      if (e.fatal) throw e;
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await sleep(every);
  }
}

/**
 * The server a test file uses: the suite's (run.mjs starts one and passes it on in
 * MUFAKAT_E2E_URL and MUFAKAT_E2E_PASSWORD), or, for a file run on its own, one of its own.
 */
export async function getServer(testName) {
  fs.mkdirSync(path.join(outputRoot, testName), { recursive: true });
  if (process.env.MUFAKAT_E2E_URL) {
    return { url: process.env.MUFAKAT_E2E_URL, password: process.env.MUFAKAT_E2E_PASSWORD, stop: async () => {} };
  }
  return startServer(testName);
}

export async function startServer(testName) {
  const bin = binary();
  const logDir = path.join(outputRoot, testName);
  fs.mkdirSync(logDir, { recursive: true });
  const log = fs.createWriteStream(path.join(logDir, 'server.log'));
  for (let attempt = 1; ; attempt++) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mufakat-e2e-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(bin, ['serve', '--demo'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        MUFAKAT_DATA_DIR: dataDir,
        MUFAKAT_LISTEN: `127.0.0.1:${port}`,
        MUFAKAT_WORKFLOWS_DIR: path.join(repoRoot, 'workflows'),
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let exited = null;
    child.stdout.on('data', (d) => { stdout += d; log.write(d); });
    child.stderr.on('data', (d) => { stderr += d; log.write(d); });
    child.on('exit', (code, signal) => { exited = { code, signal }; process.off('exit', killChild); });
    // Never leave a server behind, even when this process ends without stopping it.
    const killChild = () => { if (!exited) child.kill('SIGKILL'); };
    process.on('exit', killChild);
    try {
      await until('the server to answer /healthz', async () => {
        if (exited) {
          // Its own message, not the backtrace after it.
          const at = stderr.lastIndexOf('Error:');
          const why = (at >= 0 ? stderr.slice(at) : stderr.slice(-1500)).split('Stack backtrace:')[0].trim().slice(0, 1500);
          throw Object.assign(new Error(`the server exited (${JSON.stringify(exited)}): ${why}`), { fatal: true });
        }
        const r = await fetch(`${url}/healthz`).catch(() => null);
        return r && r.status === 200;
      }, { timeout: 60000, every: 100 });
      const password = await until('the demo password on stdout', () => {
        const m = stdout.match(/shown once: ([A-Za-z0-9]+)\)/);
        return m && m[1];
      }, { timeout: 10000 });
      const server = {
        url,
        password,
        dataDir,
        stderr: () => stderr,
        async stop() {
          if (!exited) {
            child.kill('SIGTERM');
            await until('the server to exit', () => exited, { timeout: 10000 }).catch(() => child.kill('SIGKILL'));
          }
          log.end();
          fs.rmSync(dataDir, { recursive: true, force: true });
        },
      };
      return server;
    } catch (e) {
      if (!exited) child.kill('SIGKILL');
      await until('the server to exit', () => exited, { timeout: 5000 }).catch(() => {});
      fs.rmSync(dataDir, { recursive: true, force: true });
      // Someone took the port between our probe and the bind: try another one.
      if (attempt < 3 && /address already in use/i.test(stderr)) continue;
      throw e;
    }
  }
}
