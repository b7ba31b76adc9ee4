// Debian's Chromium, headless, driven by playwright-core (which never downloads a browser).
// Each launch gets a fresh temporary profile (playwright's own user-data dir, removed on close).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { outputRoot } from './server.mjs';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launch() {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath} (apt-get install -y chromium)`);
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true, timeout: 60000 });
}

/** A new browser context (empty cookies and cache) speaking `lang` first. */
export async function newContext(browser, { lang = 'id', token, server, viewport = { width: 1280, height: 800 } } = {}) {
  const ctx = await browser.newContext({
    locale: lang === 'en' ? 'en-US' : 'id-ID',
    extraHTTPHeaders: { 'Accept-Language': lang },
    viewport,
  });
  ctx.setDefaultTimeout(15000);
  ctx.setDefaultNavigationTimeout(30000);
  if (token) await ctx.addCookies([{ name: 'mufakat_session', value: token, url: server.url, httpOnly: true, sameSite: 'Lax' }]);
  return ctx;
}

/**
 * Full-page screenshots of every page a test visits: output/<test>/NN-<name>.png. The folder is
 * emptied first (but for the server's log), so a second run leaves only its own pictures.
 */
export function screenshots(testName) {
  const dir = path.join(outputRoot, testName);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(dir)) if (f.endsWith('.png')) fs.rmSync(path.join(dir, f));
  let n = 0;
  const take = async (num, page, name) => {
    const file = path.join(dir, `${String(num).padStart(2, '0')}-${name.replace(/[^a-z0-9.-]+/gi, '-')}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  };
  const shot = (page, name) => take(++n, page, name);
  /** Pages visited a few at a time: each keeps the number of its place in the list. */
  shot.reserve = (count) => {
    const first = n + 1;
    n += count;
    return (i, page, name) => take(first + i, page, name);
  };
  return shot;
}

/** Runs `fn` over `items`, `n` at a time; results in the items' order. */
export async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }));
  return out;
}

/** Clicks something that submits a form or follows a link and waits for the new page to load. */
export async function clickAndWait(page, locator) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.locator(locator).click(),
  ]);
  return response;
}

/** Presses a key that navigates (Enter in a form) and waits for the new page to load. */
export async function pressAndWait(page, key) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.keyboard.press(key),
  ]);
  return response;
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core on the page as it stands, WCAG 2.0/2.1 A and AA. The source is evaluated over the
 * DevTools protocol, which the pages' CSP (`script-src 'self'`) does not apply to.
 */
export async function axe(page) {
  const has = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!has) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 200), summary: n.failureSummary })),
    }));
  });
}

export function formatViolations(where, violations) {
  return violations
    .map((v) => `${where}: [${v.impact}] ${v.id} — ${v.help} (${v.helpUrl})\n` +
      v.nodes.map((n) => `    at ${n.target}\n      ${n.html}\n      ${(n.summary || '').replace(/\n/g, '\n      ')}`).join('\n'))
    .join('\n');
}

/** What every test starts with: the server, a browser, its screenshots; all closed after it. */
export async function setup(t, testName) {
  const { getServer } = await import('./server.mjs');
  const shot = screenshots(testName);
  const server = await getServer(testName);
  let browser;
  try {
    browser = await launch();
  } catch (e) {
    await server.stop();
    throw e;
  }
  t.after(async () => {
    await browser.close().catch(() => {});
    await server.stop();
  });
  return { server, browser, shot, url: (p) => server.url + p };
}
