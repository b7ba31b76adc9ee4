// The GraphQL API, for what a test sets up or moves outside the browser (a cycle of its own,
// a resident, a phase opened early).
import crypto from 'node:crypto';
import { until } from './server.mjs';

export async function gql(server, query, variables = {}, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const r = await fetch(`${server.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = await r.json().catch(() => ({}));
  if (!r.ok || body.errors) {
    throw new Error(`GraphQL ${query.slice(0, 60)}…: HTTP ${r.status} ${JSON.stringify(body.errors ?? body)}`);
  }
  return body.data;
}

export async function login(server, username, password = server.password) {
  const d = await gql(server, 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', { u: username, p: password });
  return d.login.token;
}

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A cycle of the demo kota whose submission phase is open (its timer has fired). */
export async function createOpenCycle(server, bappedaToken, name) {
  const { regions } = await gql(server, '{ regions(level: KABUPATEN_KOTA) { id } }');
  const now = Date.now();
  const day = 86400000;
  const create = (year) => gql(server, `mutation($i: CreateCycleInput!) { createMusrenbangCycle(input: $i) { id caseId phase maxVotesPerVoter } }`, {
    i: {
      name,
      year,
      regionId: regions[0].id,
      windows: {
        submissionOpens: iso(now - 60000),
        votingOpens: iso(now + 7 * day),
        kelurahanOpens: iso(now + 14 * day),
        kecamatanOpens: iso(now + 21 * day),
        kotaOpens: iso(now + 28 * day),
        closesAt: iso(now + 35 * day),
      },
    },
  }, bappedaToken);
  // A kota has one open cycle a year (the demo's holds one): take the first free year near now.
  const thisYear = new Date(now).getUTCFullYear();
  let d;
  for (const year of [thisYear + 1, thisYear + 2, thisYear, thisYear - 1]) {
    try {
      d = await create(year);
      break;
    } catch (e) {
      if (!String(e.message).includes('"CONFLICT"')) throw e;
    }
  }
  if (!d) throw new Error(`no free year for the cycle ${name}`);
  const cycle = d.createMusrenbangCycle;
  // Its submission window is already open, so the server's timer (polled every 5 s) opens it;
  // Bappeda may also open it at once, as here. Either way, wait for the phase.
  await gql(server, 'mutation($c: ID!) { fireTransition(instanceId: $c, transition: "open_submission", comment: "E2E") { id } }', { c: cycle.caseId }, bappedaToken)
    .catch(() => { /* the timer was first */ });
  await waitForPhase(server, cycle.id, 'submission');
  return cycle;
}

/** The open cycle called `name` (one test file made it earlier on this server), or a new one. */
export async function openCycleNamed(server, bappedaToken, name) {
  const d = await gql(server, '{ musrenbangCycles { id name caseId phase maxVotesPerVoter } }');
  return d.musrenbangCycles.find((c) => c.name === name && c.phase === 'submission') ?? createOpenCycle(server, bappedaToken, name);
}

export async function waitForPhase(server, cycleId, phase) {
  await until(`cycle ${cycleId} to reach phase ${phase}`, async () => {
    const d = await gql(server, 'query($id: ID!) { musrenbangCycle(id: $id) { phase } }', { id: cycleId });
    return d.musrenbangCycle.phase === phase;
  }, { timeout: 20000, every: 250 });
}

/** Bappeda opens voting early: the cycle's case takes `open_voting` (workflows/musrenbang-siklus.toml). */
export async function openVoting(server, bappedaToken, cycle) {
  await gql(server, 'mutation($c: ID!) { fireTransition(instanceId: $c, transition: "open_voting", comment: "E2E: voting opened by the browser test") { id } }', { c: cycle.caseId }, bappedaToken);
  await waitForPhase(server, cycle.id, 'voting');
}

/** A plausible NIK, never the same twice: region 35.99.01, a real birth date, 4 random digits. */
export function newNik() {
  const r = crypto.randomInt;
  const day = String(r(1, 29) + (r(0, 2) ? 40 : 0)).padStart(2, '0');
  const month = String(r(1, 13)).padStart(2, '0');
  const year = String(r(0, 100)).padStart(2, '0');
  return `359901${day}${month}${year}${String(r(0, 10000)).padStart(4, '0')}`;
}

export function newUsername(prefix) {
  return `${prefix}.${crypto.randomBytes(4).toString('hex')}`;
}

export async function kelurahanList(server) {
  const d = await gql(server, '{ regions(level: KELURAHAN_DESA) { id name } }');
  return d.regions;
}

/** A resident registered through the API (for the tests whose subject is not registration). */
export async function registerResident(server, prefix = 'e2e.warga') {
  const [kel] = await kelurahanList(server);
  const username = newUsername(prefix);
  const password = `Sandi-${crypto.randomBytes(6).toString('hex')}`;
  const d = await gql(server, 'mutation($i: RegisterResidentInput!) { registerResident(input: $i) { token } }', {
    i: { username, name: `Warga Uji ${username.slice(-4)}`, nik: newNik(), kelurahanId: kel.id, password },
  });
  return { username, password, token: d.registerResident.token, kelurahanId: kel.id };
}
