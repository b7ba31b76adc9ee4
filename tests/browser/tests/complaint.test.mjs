// 2. A LAPOR complaint: a resident sends one through the form generated from
// workflows/lapor-complaint.toml, gets a tracking code, logs out; an anonymous visitor follows
// it on /track.
import test from 'node:test';
import assert from 'node:assert/strict';
import { registerResident } from '../lib/api.mjs';
import { setup, newContext, clickAndWait } from '../lib/browser.mjs';

const NAME = 'complaint';

test('complaint: a resident sends a LAPOR complaint and anyone follows it by its code', { timeout: 120000 }, async (t) => {
  const { server, browser, shot, url } = await setup(t, NAME);
  const resident = await registerResident(server, 'e2e.lapor');
  const ctx = await newContext(browser);
  const page = await ctx.newPage();

  // The service needs a logged-in resident: the form sends to the login page and back.
  await page.goto(url('/services'));
  await shot(page, 'services');
  await clickAndWait(page, '#main a[href="/services/lapor-complaint/new"]');
  assert.equal(new URL(page.url()).pathname, '/login', 'an anonymous visitor is asked to log in first');
  assert.equal(await page.inputValue('input[name="next"]'), '/services/lapor-complaint/new');
  await shot(page, 'login');
  await page.fill('#f-username', resident.username);
  await page.fill('#f-password', resident.password);
  await clickAndWait(page, 'form[action="/login"] button[type="submit"]');
  assert.equal(new URL(page.url()).pathname, '/services/lapor-complaint/new', 'back to the form after logging in');

  // The generated form: the workflow's start fields (the upload is not part of it).
  assert.equal(await page.locator('textarea#f-description[required]').count(), 1, 'description: a required text area (max_length 2000)');
  const options = await page.locator('select#f-category option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(options, ['', 'jalan', 'drainase', 'sampah', 'penerangan', 'air_bersih', 'lainnya'], 'category: the enum values');
  assert.equal(await page.locator('input#f-location[type="text"]').count(), 1, 'location: a text input (max_length 300)');
  assert.equal(await page.locator('[name="photo"], [name="opd"], [name="deadline"], [name="resolution"]').count(), 0, 'no upload nor internal field');
  assert.equal(await page.locator('form[action="/services/lapor-complaint/new"] input[name="csrf"]').count(), 1);
  await shot(page, 'form');

  await page.fill('#f-description', 'Lampu jalan di depan balai RW 05 mati sejak dua minggu; jalan gelap pada malam hari.');
  await page.selectOption('#f-category', 'penerangan');
  await page.fill('#f-location', 'Jl. Kenanga, RT 02/RW 05');
  await clickAndWait(page, 'form[action="/services/lapor-complaint/new"] button[type="submit"]');
  const code = (await page.locator('#tracking-code').innerText()).trim();
  assert.match(code, /^[0-9]+-[A-Z0-9]{6,}$/, `a tracking code like 1234-7KQ2M9XA, got "${code}"`);
  await shot(page, 'sent');

  // Log out (the form in the header).
  await clickAndWait(page, 'header form[action="/logout"] button[type="submit"]');
  assert.equal(new URL(page.url()).pathname, '/');
  assert.equal(await page.locator('header a[href^="/login"]').count(), 1, 'logged out: the header offers to log in');
  assert.equal((await ctx.cookies()).some((c) => c.name === 'mufakat_session' && c.value), false, 'no session cookie left');
  await shot(page, 'logged-out');

  // An anonymous visitor (another browser) follows it by its code.
  const anon = await (await newContext(browser)).newPage();
  await anon.goto(url('/track'));
  await shot(anon, 'track');
  await anon.fill('#f-code', code);
  const resp = await clickAndWait(anon, 'form[action="/track"] button[type="submit"]');
  assert.equal(resp.status(), 200);
  assert.equal(new URL(anon.url()).searchParams.get('code'), code);
  assert.match(await anon.locator('#main h2').first().innerText(), /LAPOR/);
  assert.equal((await anon.locator('#tracked-state').innerText()).trim(), 'Diajukan', 'the complaint is in its first state (submitted)');
  assert.ok(await anon.locator('#main ol.timeline li').count() >= 1, 'its steps are listed');
  await shot(anon, 'tracked');

  // A wrong code says so.
  const wrong = await anon.goto(url(`/track?code=${encodeURIComponent('0000-NOTACODE')}`));
  assert.equal(wrong.status(), 404);
  assert.equal(await anon.locator('#main .alert[data-code="NOT_FOUND"]').count(), 1);
  await shot(anon, 'unknown-code');
});
