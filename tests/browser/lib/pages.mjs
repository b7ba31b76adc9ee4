// The app's pages that the accessibility and budget tests visit, found in the demo data of a
// fresh server, plus what the logged-in ones need: a resident, and a cycle open for proposals.
import { openCycleNamed, gql, login, registerResident } from './api.mjs';

export async function appPages(server) {
  const d = await gql(server, `{
    musrenbangCycles { id name phase region { id } }
    proposals(sort: VOTES, first: 1) { nodes { id } }
    regions(level: KELURAHAN_DESA) { id }
  }`);
  const demoCycle = d.musrenbangCycles[0];
  const kota = demoCycle.region.id;
  const proposal = d.proposals.nodes[0].id;
  const kelurahan = d.regions[0].id;
  const bappeda = await login(server, 'bappeda');
  const cycle = await openCycleNamed(server, bappeda, 'E2E pages');
  const resident = await registerResident(server, 'e2e.a11y');
  const pages = [
    { name: 'home', path: '/' },
    { name: 'proposals', path: '/proposals' },
    { name: 'proposal', path: `/proposals/${proposal}` },
    { name: 'priorities', path: '/priorities' },
    { name: 'public', path: '/public' },
    { name: 'cycle', path: `/cycles/${demoCycle.id}` },
    { name: 'region-kota', path: `/regions/${kota}` },
    { name: 'region-kelurahan', path: `/regions/${kelurahan}` },
    { name: 'situation', path: `/situation/${kota}` },
    { name: 'services', path: '/services' },
    { name: 'login', path: '/login' },
    { name: 'register', path: '/register' },
    { name: 'track', path: '/track' },
    { name: 'me', path: '/me', auth: true },
    { name: 'me-proposals', path: '/me/proposals', auth: true },
    { name: 'me-notifications', path: '/me/notifications', auth: true },
    { name: 'proposal-new', path: `/proposals/new?cycle=${cycle.id}`, auth: true },
  ];
  return { pages, resident, cycle, demoCycle, kota, kelurahan, proposal };
}
