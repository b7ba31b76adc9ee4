// The app's pages that the accessibility and budget tests visit, found in the demo data of a
// fresh server, plus what the logged-in ones need: a resident, and a cycle open for proposals.
import { openCycleNamed, gql, login, registerResident } from './api.mjs';

export async function appPages(server) {
  const d = await gql(server, `{
    musrenbangCycles { id name phase region { id } }
    proposals(sort: VOTES, first: 1) { nodes { id } }
    regions(level: KELURAHAN_DESA) { id }
    monevActivities { proposalId }
  }`);
  const demoCycle = d.musrenbangCycles.find((c) => !c.name.startsWith('E2E'));
  const kota = demoCycle.region.id;
  const proposal = d.proposals.nodes[0].id;
  const kelurahan = d.regions[0].id;
  // The demo's funded proposal, whose page shows what became of it (plan line, procurement,
  // monev), and an adopted allocation, when the demo has them.
  const thread = d.monevActivities.find((a) => a.proposalId)?.proposalId;
  let allocation;
  for (const c of d.musrenbangCycles) {
    const runs = await gql(server, 'query($c: ID!) { allocationRuns(cycleId: $c) { id adoptedAt } }', { c: c.id });
    allocation = runs.allocationRuns.find((r) => r.adoptedAt)?.id ?? allocation;
    if (allocation) break;
  }
  const bappeda = await login(server, 'bappeda');
  const cycle = await openCycleNamed(server, bappeda, 'E2E pages');
  const resident = await registerResident(server, 'e2e.a11y');
  const pages = [
    { name: 'home', path: '/' },
    { name: 'proposals', path: '/proposals' },
    { name: 'proposal', path: `/proposals/${proposal}` },
    ...(thread && thread !== proposal ? [{ name: 'proposal-thread', path: `/proposals/${thread}` }] : []),
    { name: 'priorities', path: '/priorities' },
    { name: 'public', path: '/public' },
    { name: 'cycle', path: `/cycles/${demoCycle.id}` },
    ...(allocation ? [{ name: 'allocation', path: `/allocations/${allocation}` }] : []),
    { name: 'region-kota', path: `/regions/${kota}` },
    { name: 'region-kelurahan', path: `/regions/${kelurahan}` },
    { name: 'situation', path: `/situation/${kota}` },
    { name: 'services', path: '/services' },
    { name: 'service-levels', path: '/services/levels' },
    { name: 'ppid-register', path: '/services/ppid-permohonan/register' },
    { name: 'login', path: '/login' },
    { name: 'reset', path: '/reset' },
    { name: 'register', path: '/register' },
    { name: 'track', path: '/track' },
    { name: 'me', path: '/me', auth: true },
    { name: 'me-proposals', path: '/me/proposals', auth: true },
    { name: 'me-notifications', path: '/me/notifications', auth: true },
    { name: 'proposal-new', path: `/proposals/new?cycle=${cycle.id}`, auth: true },
  ];
  return { pages, resident, cycle, demoCycle, kota, kelurahan, proposal };
}
