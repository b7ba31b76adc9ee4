// 5. Language: Accept-Language picks it (Indonesian by default), the switch link in the header
// changes it, and the choice sticks (a cookie) whatever the browser asks for afterwards.
import test from 'node:test';
import assert from 'node:assert/strict';
import { setup, newContext, clickAndWait } from '../lib/browser.mjs';

const NAME = 'language';

async function lang(page) {
  return page.locator('html').getAttribute('lang');
}

test('language: Accept-Language, the switch link, and the cookie that keeps it', { timeout: 120000 }, async (t) => {
  const { server, browser, shot, url } = await setup(t, NAME);

  await t.test('Accept-Language: en gives English pages', async () => {
    const ctx = await newContext(browser, { lang: 'en' });
    const page = await ctx.newPage();
    for (const [p, h1] of [['/', 'Planning together with residents'], ['/proposals', "Residents' proposals"], ['/login', 'Log in'], ['/services', 'Public services']]) {
      await page.goto(url(p));
      assert.equal(await lang(page), 'en', `${p}: <html lang="en">`);
      assert.equal((await page.locator('#main h1').innerText()).trim(), h1, `${p}: the heading in English`);
      assert.equal((await page.locator('a.skip').textContent()).trim(), 'Skip to content');
      assert.equal(await page.locator('header a[hreflang="id"]').count(), 1, 'the switch offers Bahasa Indonesia');
      await shot(page, `en${p === '/' ? '-home' : p.replace(/\//g, '-')}`);
    }
    await ctx.close();
  });

  await t.test('Accept-Language: id gives Indonesian pages', async () => {
    const ctx = await newContext(browser, { lang: 'id' });
    const page = await ctx.newPage();
    await page.goto(url('/'));
    assert.equal(await lang(page), 'id');
    assert.equal((await page.locator('#main h1').innerText()).trim(), 'Perencanaan bersama warga');
    assert.equal((await page.locator('a.skip').textContent()).trim(), 'Langsung ke isi');
    await shot(page, 'id-home');
    await ctx.close();
  });

  await t.test('the switch link changes the language and it sticks', async () => {
    const ctx = await newContext(browser, { lang: 'id' });
    const page = await ctx.newPage();
    await page.goto(url('/proposals?q=jalan'));
    assert.equal(await lang(page), 'id');
    await shot(page, 'id-proposals');
    await clickAndWait(page, 'header a[hreflang="en"]');
    assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, '/proposals?q=jalan', 'back on the same page');
    assert.equal(await lang(page), 'en');
    assert.equal((await page.locator('#main h1').innerText()).trim(), "Residents' proposals");
    const cookie = (await ctx.cookies()).find((c) => c.name === 'mufakat_lang');
    assert.equal(cookie?.value, 'en', 'a mufakat_lang cookie keeps the choice');
    assert.ok(cookie.expires > Date.now() / 1000 + 86400 * 300, 'for about a year');
    await shot(page, 'en-after-switch');

    // It sticks though the browser still asks for Indonesian: other pages, a new tab.
    for (const p of ['/', '/register', '/track']) {
      await page.goto(url(p));
      assert.equal(await lang(page), 'en', `${p} stays English`);
      await shot(page, `en-sticks${p === '/' ? '-home' : p.replace(/\//g, '-')}`);
    }
    const tab = await ctx.newPage();
    await tab.goto(url('/priorities'));
    assert.equal(await lang(tab), 'en', 'a new tab stays English');
    await shot(tab, 'en-new-tab');

    // And back.
    await clickAndWait(tab, 'header a[hreflang="id"]');
    assert.equal(new URL(tab.url()).pathname, '/priorities');
    assert.equal(await lang(tab), 'id');
    await tab.goto(url('/'));
    assert.equal(await lang(tab), 'id', 'Indonesian sticks too');
    await shot(tab, 'id-again');
    await ctx.close();
  });

  await t.test('the switch only sends back to this site', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await page.goto(url('/lang/en?next=//example.com/x'));
    assert.equal(page.url(), url('/'), 'a foreign next goes home');
    assert.equal(await lang(page), 'en');
    await shot(page, 'foreign-next');
    await ctx.close();
  });
});
