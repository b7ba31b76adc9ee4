// 1. A resident's journey: register, write a proposal (a refused form keeps what was typed),
// edit the draft, submit it; once voting opens, vote while the situation room of the
// resident's kelurahan shows the count change live, check the receipt, withdraw the vote.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { until } from '../lib/server.mjs';
import { gql, login, createOpenCycle, openVoting, newNik, newUsername, kelurahanList } from '../lib/api.mjs';
import { setup, newContext, clickAndWait } from '../lib/browser.mjs';

const NAME = 'resident-journey';

test('resident journey: register, propose, edit, submit, vote live, receipt, withdraw', { timeout: 180000 }, async (t) => {
  const { server, browser, shot, url } = await setup(t, NAME);
  const bappeda = await login(server, 'bappeda');
  const cycle = await createOpenCycle(server, bappeda, `E2E warga ${crypto.randomBytes(3).toString('hex')}`);
  const kel = (await kelurahanList(server))[0];

  const ctx = await newContext(browser);
  const page = await ctx.newPage();

  // Register.
  const username = newUsername('e2e.warga');
  const password = `Sandi-${crypto.randomBytes(6).toString('hex')}`;
  await page.goto(url('/register'));
  await shot(page, 'register');
  await page.fill('#f-name', 'Warga Uji Peramban');
  await page.fill('#f-username', username);
  await page.fill('#f-nik', newNik());
  await page.selectOption('#f-kelurahanId', kel.id);
  await page.fill('#f-password', password);
  let resp = await clickAndWait(page, 'form[action="/register"] button[type="submit"]');
  assert.equal(new URL(page.url()).pathname, '/me', `registration should land on /me, got ${page.url()} (HTTP ${resp?.status()})`);
  await page.locator('.notice[role="status"]').waitFor();
  assert.match(await page.locator('#main dl.facts').innerText(), new RegExp(username.replace('.', '\\.')));
  assert.match(await page.locator('#main dl.facts').innerText(), new RegExp(kel.name));
  await shot(page, 'me-welcome');

  // A refused proposal form keeps what was typed: everything but the title.
  await page.goto(url(`/proposals/new?cycle=${cycle.id}`));
  await shot(page, 'proposal-new');
  const typed = {
    '#f-description': 'Saluran air di depan rumah warga tersumbat dan meluap setiap hujan.',
    '#f-rtRw': '003/005',
    '#f-volume': '120',
    '#f-unit': 'm',
    '#f-unitPrice': '450000',
  };
  for (const [sel, v] of Object.entries(typed)) await page.fill(sel, v);
  const category = await page.locator('#f-category option:not([value=""])').first().getAttribute('value');
  await page.selectOption('#f-category', category);
  resp = await clickAndWait(page, 'form[action="/proposals/new"] button[type="submit"]');
  assert.equal(resp.status(), 400, 'a proposal without a title is refused');
  await page.locator('#form-errors[data-code]').waitFor();
  const titleErr = page.locator('.field:has(#f-title) p.err');
  assert.equal(await titleErr.count(), 1, 'the title field shows its error (p.err)');
  assert.ok((await titleErr.innerText()).trim().length > 0, 'the error says something');
  assert.equal(await page.locator('#f-title').getAttribute('aria-invalid'), 'true');
  assert.match(await page.locator('#form-errors').innerText(), /judul|title/i, 'the summary names the title');
  for (const [sel, v] of Object.entries(typed)) assert.equal(await page.inputValue(sel), v, `${sel} keeps its value`);
  assert.equal(await page.inputValue('#f-category'), category, 'the category keeps its value');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'form-errors', 'focus moves to the list of errors');
  await shot(page, 'proposal-refused');

  // Now with a title: the draft.
  const title = `Normalisasi saluran RT 03 ${crypto.randomBytes(2).toString('hex')}`;
  await page.fill('#f-title', title);
  resp = await clickAndWait(page, 'form[action="/proposals/new"] button[type="submit"]');
  const m = new URL(page.url()).pathname.match(/^\/proposals\/(\d+)$/);
  assert.ok(m, `a created draft shows its page, got ${page.url()} (HTTP ${resp?.status()})`);
  const id = m[1];
  assert.equal(await page.locator('#main h1').innerText(), title);
  assert.equal(await page.locator(`a[href="/proposals/${id}/edit"]`).count(), 1, 'a draft can be edited');
  assert.equal(await page.locator(`form[action="/proposals/${id}/submit"]`).count(), 1, 'a draft can be submitted');
  assert.match(await page.locator('#main dl.facts').innerText(), /Rp 54\.000\.000/, 'cost = 120 × Rp 450.000');
  await shot(page, 'draft');

  // Edit the draft.
  await clickAndWait(page, `a[href="/proposals/${id}/edit"]`);
  assert.equal(new URL(page.url()).pathname, `/proposals/${id}/edit`);
  assert.equal(await page.inputValue('#f-title'), title, 'the edit form holds the draft');
  assert.equal(await page.inputValue('#f-rtRw'), '003/005');
  await shot(page, 'edit');
  const title2 = `${title} (diperbarui)`;
  await page.fill('#f-title', title2);
  await page.fill('#f-volume', '100');
  await clickAndWait(page, `form[action="/proposals/${id}/edit"] button[type="submit"]`);
  assert.equal(new URL(page.url()).pathname, `/proposals/${id}`);
  assert.equal(await page.locator('#main h1').innerText(), title2);
  assert.match(await page.locator('#main dl.facts').innerText(), /Rp 45\.000\.000/, 'cost = 100 × Rp 450.000');
  await shot(page, 'draft-edited');

  // Submit it.
  await clickAndWait(page, `form[action="/proposals/${id}/submit"] button[type="submit"]`);
  assert.equal(new URL(page.url()).pathname, `/proposals/${id}`);
  assert.equal(await page.locator(`a[href="/proposals/${id}/edit"]`).count(), 0, 'a submitted proposal is no longer editable');
  const { proposal } = await gql(server, 'query($id: ID!) { proposal(id: $id) { status } }', { id });
  assert.equal(proposal.status, 'submitted');
  await shot(page, 'submitted');

  // Voting opens (Bappeda, through the API).
  await openVoting(server, bappeda, cycle);

  // The wall screen of the resident's kelurahan, in a second page (anonymous).
  const wallCtx = await newContext(browser);
  const wall = await wallCtx.newPage();
  const feed = wall.waitForResponse((r) => r.url().endsWith(`/situation/${kel.id}/events`));
  await wall.goto(url(`/situation/${kel.id}`));
  const feedResp = await feed;
  assert.equal(feedResp.status(), 200);
  assert.match(feedResp.headers()['content-type'] || '', /text\/event-stream/);
  const cell = wall.locator(`[data-votes-for="${id}"]`);
  assert.equal(await cell.count(), 1, `the situation room lists proposal ${id}`);
  assert.equal((await cell.innerText()).trim(), '0');
  const total0 = Number(await wall.locator('#total-votes').innerText());
  await shot(wall, 'situation-before');
  let navigations = 0;
  wall.on('framenavigated', (f) => { if (f === wall.mainFrame()) navigations += 1; });
  await wall.evaluate(() => { window.__e2eSameDocument = true; });

  // Vote.
  await page.goto(url(`/proposals/${id}`));
  const left0 = Number(await page.locator('#votes-left strong').innerText());
  assert.equal(left0, cycle.maxVotesPerVoter, 'no vote cast yet in this cycle');
  assert.equal(await page.locator('#votes').innerText(), '0');
  await shot(page, 'before-vote');
  await clickAndWait(page, `form[action="/proposals/${id}/vote"] button[type="submit"]`);
  const receipt = (await page.locator('#receipt').innerText()).trim();
  assert.match(receipt, /^\d+-[0-9a-f]{64}$/i, `a receipt is shown, got "${receipt}"`);
  assert.equal(await page.locator('#votes').innerText(), '1');
  assert.equal(Number(await page.locator('#votes-left strong').innerText()), left0 - 1, 'one vote fewer left');
  assert.equal(await page.locator(`form[action="/proposals/${id}/unvote"]`).count(), 1);
  await shot(page, 'voted');

  // The wall screen follows without a reload.
  await until('the situation room to show 1 vote', async () => (await cell.innerText()).trim() === '1', { timeout: 15000 });
  assert.equal(Number(await wall.locator('#total-votes').innerText()), total0 + 1, 'the total follows');
  assert.equal(navigations, 0, 'the situation room did not navigate');
  assert.equal(await wall.evaluate(() => window.__e2eSameDocument), true, 'the same document is still shown');
  await shot(wall, 'situation-after-vote');

  // The receipt checks out.
  await clickAndWait(page, 'a[href^="/receipt?r="]');
  assert.equal(new URL(page.url()).pathname, '/receipt');
  assert.equal(await page.inputValue('#f-r'), receipt);
  await page.locator('#main .notice[role="status"]').waitFor();
  assert.equal(await page.locator('#main .alert').count(), 0, 'the receipt is found');
  await shot(page, 'receipt');

  // Withdraw the vote: the votes left go back, and so does the wall.
  await page.goto(url(`/proposals/${id}`));
  await clickAndWait(page, `form[action="/proposals/${id}/unvote"] button[type="submit"]`);
  await page.locator('#main .notice[role="status"]').waitFor();
  assert.equal(await page.locator('#votes').innerText(), '0');
  assert.equal(Number(await page.locator('#votes-left strong').innerText()), left0, 'the vote is given back');
  assert.equal(await page.locator(`form[action="/proposals/${id}/vote"]`).count(), 1, 'one may vote again');
  await shot(page, 'withdrawn');
  await until('the situation room to show 0 votes again', async () => (await cell.innerText()).trim() === '0', { timeout: 15000 });
  assert.equal(navigations, 0, 'the situation room did not navigate');
  await shot(wall, 'situation-after-withdraw');

  // My proposals lists it with its status.
  await page.goto(url('/me/proposals'));
  assert.equal(await page.locator(`#main a[href="/proposals/${id}"]`).count(), 1);
  await shot(page, 'my-proposals');
  await wallCtx.close();
  await ctx.close();
});
