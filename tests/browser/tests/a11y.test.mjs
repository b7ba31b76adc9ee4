// 3. Accessibility and the keyboard: axe-core (WCAG 2.0/2.1 A and AA) on every page, failing on
// serious and critical violations; logging in with the keyboard alone; Tab reaching every
// link, button and field in order, each visible when focused, the skip link first.
import test from 'node:test';
import assert from 'node:assert/strict';
import { appPages } from '../lib/pages.mjs';
import { setup, newContext, axe, formatViolations, pressAndWait } from '../lib/browser.mjs';

const NAME = 'a11y';

test('accessibility: axe-core on every page, and the keyboard', { timeout: 240000 }, async (t) => {
  const { server, browser, shot, url } = await setup(t, NAME);
  const fx = await appPages(server);
  const anon = await newContext(browser);
  const resident = await newContext(browser, { token: fx.resident.token, server });

  await t.test('axe-core: no serious or critical violation', async (t) => {
    for (const p of fx.pages) {
      await t.test(`${p.path}`, async () => {
        const page = await (p.auth ? resident : anon).newPage();
        try {
          const resp = await page.goto(url(p.path), { waitUntil: 'load' });
          assert.equal(resp.status(), 200, `${p.path} answers 200`);
          if (p.auth) assert.equal(new URL(page.url()).pathname, p.path.split('?')[0], 'logged in, not sent to /login');
          await shot(page, `axe-${p.name}`);
          const violations = await axe(page);
          const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
          const other = violations.filter((v) => !bad.includes(v));
          if (other.length) console.log(`note (not failing): ${formatViolations(p.path, other)}`);
          assert.equal(bad.length, 0, `\n${formatViolations(p.path, bad)}`);
        } finally {
          await page.close();
        }
      });
    }
  });

  await t.test('log in with the keyboard alone', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await page.goto(url('/login'));
    const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
    let tabs = 0;
    while ((await focused()) !== 'f-username') {
      assert.ok(++tabs < 40, 'Tab reaches the username field');
      await page.keyboard.press('Tab');
    }
    await page.keyboard.type(fx.resident.username);
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'f-password', 'Tab goes from the username to the password');
    await page.keyboard.type(fx.resident.password);
    await shot(page, 'keyboard-login');
    await pressAndWait(page, 'Enter');
    assert.equal(new URL(page.url()).pathname, '/', 'logged in and sent on');
    assert.match(await page.locator('header a[href="/me"]').innerText(), new RegExp(fx.resident.username.replace('.', '\\.')),
      'the header names the logged-in resident');
    await shot(page, 'keyboard-logged-in');
    await ctx.close();
  });

  const tabPages = [
    { path: '/' },
    { path: '/login' },
    { path: '/register' },
    { path: '/proposals' },
    { path: '/services' },
    { path: `/situation/${fx.kota}` },
    { path: fx.pages.find((p) => p.name === 'proposal-new').path, auth: true },
  ];
  await t.test('Tab reaches everything in order, each focused element visible', async (t) => {
    for (const p of tabPages) {
      await t.test(p.path, async () => {
        const page = await (p.auth ? resident : anon).newPage();
        try {
          await page.goto(url(p.path), { waitUntil: 'load' });
          // What a keyboard user should reach, in document order (no positive tabindex anywhere).
          const expected = await page.evaluate(() => {
            const sel = 'a[href], button, input, select, textarea, summary, [tabindex], [contenteditable="true"]';
            const list = [...document.querySelectorAll(sel)].filter((el) => {
              if (el.disabled || (el.tagName === 'INPUT' && el.type === 'hidden')) return false;
              if (el.hasAttribute('tabindex') && el.tabIndex < 0) return false;
              if (el.tagName === 'SUMMARY' && el.parentElement.tagName !== 'DETAILS') return false;
              if (el.closest('details:not([open])') && el.tagName !== 'SUMMARY') return false;
              const style = getComputedStyle(el);
              return el.getClientRects().length > 0 && style.visibility !== 'hidden';
            });
            list.forEach((el, i) => el.setAttribute('data-e2e-tab', String(i)));
            return list.map((el) => ({
              tag: el.tagName.toLowerCase(),
              text: (el.innerText || el.value || el.name || el.id || '').trim().slice(0, 40),
              positive: el.tabIndex > 0,
            }));
          });
          assert.ok(expected.length > 0);
          assert.deepEqual(expected.filter((e) => e.positive), [], 'no positive tabindex');
          const seen = [];
          for (let i = 0; i < expected.length; i++) {
            await page.keyboard.press('Tab');
            const f = await page.evaluate(() => {
              const el = document.activeElement;
              const r = el.getBoundingClientRect();
              return {
                idx: el.getAttribute('data-e2e-tab'),
                desc: `${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.name || el.id || '').trim().slice(0, 40)}"`,
                skip: el.classList.contains('skip'),
                box: { w: r.width, h: r.height },
                inView: r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
              };
            });
            if (i === 0) assert.ok(f.skip, `the first Tab reaches the skip link, got ${f.desc}`);
            assert.equal(f.idx, String(i), `Tab ${i + 1} should reach ${expected[i].tag} "${expected[i].text}", got ${f.desc} (after ${seen.join(' → ')})`);
            assert.ok(f.box.w > 0 && f.box.h > 0, `${f.desc} is visible when focused (box ${f.box.w}×${f.box.h})`);
            assert.ok(f.inView, `${f.desc} is scrolled into view when focused`);
            seen.push(f.desc);
          }
          // The skip link takes the focus to the content.
          await page.keyboard.press('Shift+Tab');
          await page.evaluate(() => document.querySelector('a.skip').focus());
          await page.keyboard.press('Enter');
          await page.waitForFunction(() => document.activeElement?.id === 'main');
        } finally {
          await page.close();
        }
      });
    }
  });
});
