// End-to-end test of the observatory in real headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core): open the home page, search a
// municipality by name, open its card, compare it with its peers, switch
// language, switch to another index, see unions of municipalities, download a CSV, search the reuse catalog, filter it by a platform and
// open a solution with its adopters; register, join a community for a
// municipality, create a meeting, register to it and see the coverage change; as the platform admin, import a
// registrations file and see a bad one refused row by row; axe-core must report no WCAG 2.1 A/AA violation on
// any page. Screenshots go to test-artifacts/.
//
// node e2e/observatory.mjs http://127.0.0.1:PORT
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
const base = process.argv[2];
const out = new URL('../../test-artifacts/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

// axe is evaluated through the DevTools protocol: the site's Content-Security-Policy
// (no inline script) would rightly refuse it as a script tag.
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
async function audit(name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const violations = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  await page.screenshot({ path: `${out}${name}.png`, fullPage: false });
  assert.deepEqual(violations, [], `axe on ${name}`);
  console.log(`ok ${name}: no WCAG A/AA violation (${result.passes.length} rules passed)`);
}

async function chartsReady() {
  await page.waitForFunction(() => [...document.querySelectorAll('[data-chart]')].every((e) => e.dataset.ready === 'true'),
    null, { timeout: 30000 });
}

// Home.
await page.goto(`${base}/it/`);
assert.equal(await page.getAttribute('html', 'lang'), 'it');
assert.match(await page.textContent('h1'), /Indice di transizione digitale/);
await chartsReady();
await audit('01-home');

// Search by name and open the card.
await page.fill('#home-search', 'perugia');
await Promise.all([page.waitForURL(/\/it\/cerca/), page.press('#home-search', 'Enter')]);
await audit('02-search');
await Promise.all([page.waitForURL(/\/it\/comuni\/054039/), page.click('#search-results a[href="/it/comuni/054039"]')]);
assert.equal(await page.textContent('#muni-name'), 'Perugia');
await chartsReady();
await audit('03-card');

// Compare with its peers.
await Promise.all([page.waitForURL(/confronta/), page.click('#compare-peers')]);
const columns = await page.locator('#compare-table thead th').count();
assert.equal(columns, 1 + 4, 'Perugia and three peers');
await audit('04-compare');

// Switch language.
await Promise.all([page.waitForURL(/\/en\/confronta/), page.click('#switch-language')]);
assert.equal(await page.getAttribute('html', 'lang'), 'en');
assert.match(await page.textContent('h1'), /Comparing municipalities/);
await audit('05-compare-en');

// Ranking with the scatter and the municipality map.
await page.goto(`${base}/en/indice`);
await chartsReady();
await page.selectOption('#map-colour', 'group');
await audit('06-ranking');

// Another index, published from a coin's files (scripts/e2e.sh): chosen in
// the selector, its ranking (no groups) and its map; the card then lists
// the comune's place in it.
await page.selectOption('#index-select', 'DEMO_UMBRIA');
await Promise.all([page.waitForURL(/index=DEMO_UMBRIA/), page.click('#index-form button[type=submit]')]);
await chartsReady();
assert.match(await page.textContent('h1'), /Indice dimostrativo dell'Umbria/);
assert.equal(await page.locator('#ranking tbody tr').count(), 12, 'the twelve comuni of the demo index');
assert.equal(await page.locator('[data-chart="scatter"]').count(), 0, 'no groups, no scatter');
assert.match(await page.textContent('#ranking thead'), /Change/, 'the change since 2024');
await audit('06b-ranking-other-index');
await page.goto(`${base}/it/comuni/054039`);
await chartsReady();
assert.match(await page.textContent('#elsewhere'), /Indice dimostrativo dell'Umbria[\s\S]*\/ 12/);
// Its series: 2024 then 2025, drawn and tabled.
const periods = await page.locator('#series-DEMO_UMBRIA tbody th').allTextContents();
assert.deepEqual(periods, ['2024', '2025']);
assert.equal(await page.locator('[data-chart="series"][data-index="DEMO_UMBRIA"] canvas').count(), 1, 'the series chart');
await audit('06c-card-series');
console.log('ok another index: selector, ranking, card, series');

// Unions of municipalities (invented memberships, said to be examples on
// every page): the list from the home page, a union's card with its members.
await page.goto(`${base}/it/`);
await Promise.all([page.waitForURL(/\/it\/unioni$/), page.click('#home-unions a')]);
assert.match(await page.textContent('#unions-example'), /esempi inventati/);
assert.equal(await page.locator('#unions tbody tr').count(), 3, 'three demo unions');
await audit('06d-unions');
await Promise.all([page.waitForURL(/\/it\/unioni\/um_demo_/), page.click('#unions tbody tr:first-child a')]);
assert.match(await page.textContent('#unions-example'), /esempi inventati/);
assert.ok(await page.locator('#members tbody tr').count() >= 3, 'the union card lists its members');
await audit('06e-union');
console.log('ok unions: list, card, example notice');
await page.goto(`${base}/it/aree?level=province`);
assert.equal(await page.locator('#areas tbody tr').count(), 2, "Umbria's two provinces");
await audit('06f-areas');

// Download a CSV.
await page.goto(`${base}/it/dati`);
await audit('07-downloads');
const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href="/api/v1/municipalities.csv"]')]);
const csv = readFileSync(await download.path(), 'utf8');
const lines = csv.trim().split('\n');
assert.match(lines[0], /^code,name,region,province,size_class,population,score,rank/);
assert.ok(lines.length > 90, `${lines.length - 1} municipalities in the CSV`);
console.log(`ok download: ${lines.length - 1} rows`);

// The reuse catalog on real data: owners by name, search, filter by
// pagoPA, open a real solution with its signals and related solutions, and
// the demo's invented solution labelled as an example with its adopters.
await page.click('nav a[href="/it/soluzioni"]');
await page.waitForURL(/\/it\/soluzioni/);
const catalogListed = Number((await page.textContent('#solution-count strong')).replace(/\D/g, ''));
assert.ok(catalogListed >= 200, `${catalogListed} solutions listed from the real corpus`);
const owners = await page.locator('#facet-owner label').allTextContents();
assert.ok(owners.length > 3, `${owners.length} owners in the facet`);
for (const o of owners) {
  // A name people read, the iPA code beside it in small print.
  assert.match(o, /^\s*\S+(\s+\S+)+\s+[a-z0-9_]+\s+\(\d+\)\s*$/i, `owner shown by name: ${o}`);
}
assert.match(owners.join('\n'), /Regione Piemonte|Regione Emilia-Romagna|Regione Marche/i);
await page.fill('#q', 'pagamenti');
await Promise.all([page.waitForURL(/q=pagamenti/), page.press('#q', 'Enter')]);
assert.match(await page.textContent('#solution-results'), /PayFlowPA/);
// Bootstrap Italia draws the checkbox on its label: click the label, as a person does.
await page.click('#facet-platform label:has-text("pagoPA")');
assert.ok(await page.isChecked('#facet-platform input[value="pagopa"]'));
await Promise.all([page.waitForURL(/platform=pagopa/), page.click('#apply-filters')]);
const found = await page.locator('#solution-results li').count();
assert.ok(found >= 2, `${found} payment solutions with pagoPA`);
for (const item of await page.locator('#solution-results li').allTextContents()) {
  assert.match(item, /pagoPA/, 'every result integrates pagoPA');
}
await audit('09-solutions');
await Promise.all([page.waitForURL(/\/it\/soluzioni\/\d+$/), page.click('#solution-results a:has-text("PayFlowPA")')]);
assert.match(await page.textContent('#solution-name'), /PayFlowPA/);
assert.match(await page.textContent('#owner'), /Comune di Bari/i);
assert.match(await page.textContent('#signals'), /Ultimo rilascio/);
assert.match(await page.textContent('#signal-adopters'), /^\s*\d+ \/ \d+/);
const related = await page.locator('#related li').count();
assert.ok(related >= 1, `${related} related solutions`);
await audit('10-solution');
await page.goto(`${base}/it/soluzioni?q=Pagamenti+Comunali`);
await Promise.all([page.waitForURL(/\/it\/soluzioni\/\d+$/), page.click('#solution-results a:text("Pagamenti Comunali")')]);
assert.equal((await page.textContent('#solution-name')).trim().replace(/\s+/g, ' '), 'Pagamenti Comunali esempio dimostrativo');
assert.ok(await page.isVisible('#example-note'), 'the invented solution says so');
await chartsReady();
const adopters = await page.locator('#adopters tbody tr').count();
assert.ok(adopters > 10, `${adopters} adopters listed`);
assert.match(await page.textContent('#adopters caption'), /esempio dimostrativo/);
console.log(`ok catalog: ${catalogListed} listed, ${found} pagoPA payment solutions, ${related} related, ${adopters} example adopters`);

// Communities: register, join for a municipality, become coordinator (the
// platform admin's command), plan a meeting, register to it, see the coverage change.
const figure = async (name) => Number((await page.textContent(`[data-figure="${name}"]`)).replace(/\D/g, ''));
await page.goto(`${base}/it/copertura`);
await chartsReady();
const before = await figure('registrations');
const pendingBefore = await figure('pending');
await page.goto(`${base}/it/accesso`);
await audit('11-account');
const email = `e2e-${Date.now()}@example.org`;
await page.fill('#reg-name', 'Prova E2E');
await page.fill('#reg-email', email);
await page.fill('#reg-password', 'una password lunga');
await page.fill('#reg-password2', 'una password lunga');
await Promise.all([page.waitForURL(/\/it\/accesso\/registrati$/), page.click('#register-form button[type=submit]')]);
// The same answer whether or not the address was known: no session yet, sign in.
assert.ok(await page.isVisible('#registered'));
assert.equal((await context.cookies()).find((c) => c.name === '__Host-cantiere_session'), undefined);
await page.fill('#login-email', email);
await page.fill('#login-password', 'una password lunga');
await Promise.all([page.waitForURL(/\/it\/profilo$/), page.click('#login-form button[type=submit]')]);
assert.match(await page.textContent('#profile-name'), /Prova E2E/);
const session = (await context.cookies()).find((c) => c.name === '__Host-cantiere_session');
assert.ok(session && session.httpOnly && session.secure && session.sameSite === 'Lax' && session.path === '/',
  'a __Host- session cookie');
const csp = (await page.goto(`${base}/it/profilo`)).headers()['content-security-policy'];
assert.match(csp, /script-src 'self';/);
await page.goto(`${base}/it/comunita/open-data`);
await page.fill('#join-ipa', 'c_g478');
await Promise.all([page.waitForURL(/\/it\/comunita\/open-data$/), page.click('#join-form button[type=submit]')]);
assert.match(await page.textContent('#members'), /c_g478/);
execFileSync(process.env.CANTIERE_BIN, ['community', 'grant', email, 'coordinator', '--target', 'open-data',
  '--database', process.env.CANTIERE_DB]);
await page.reload();
await audit('12-community');
await page.click('summary:has-text("Nuovo incontro")');
await page.fill('#m-title', 'Incontro di prova');
await page.fill('#m-start', '2027-03-10T10:00');
await page.selectOption('#m-mode', 'online');
await page.fill('#m-link', 'https://meet.example.org/prova');
await page.fill('#m-agenda', '1. Presentazioni\n2. <b>Open data</b>');
await Promise.all([page.waitForURL(/incontri\/\d+$/), page.click('#meeting-form button[type=submit]')]);
assert.match(await page.textContent('#agenda'), /<b>Open data<\/b>/, 'the agenda is shown as text, not markup');
await Promise.all([page.waitForURL(/incontri\/\d+$/), page.click('#register-meeting button')]);
assert.equal((await page.textContent('#meeting-registrations')).trim(), '1');
assert.ok(await page.isVisible('#registered'));
await audit('13-meeting');
await page.goto(`${base}/it/copertura`);
await chartsReady();
const after = await figure('registrations');
const pendingAfter = await figure('pending');
// Anyone may claim a body: until its editor confirms, the claim is pending, not covered.
assert.equal(after, before, `coverage counts confirmed registrations: ${before}, then ${after}`);
assert.equal(pendingAfter, pendingBefore + 1, `pending: ${pendingBefore}, then ${pendingAfter}`);
await audit('14-coverage');
console.log(`ok communities: registered, joined for c_g478, meeting created and joined, pending ${pendingBefore} -> ${pendingAfter}`);

// The platform admin imports a registrations file from the communities page.
execFileSync(process.env.CANTIERE_BIN, ['community', 'grant', email, 'admin', '--database', process.env.CANTIERE_DB]);
const registrationsFile = (rows) => ({ name: 'iscrizioni.csv', mimeType: 'text/csv',
  buffer: Buffer.from(`community,email,name,codice_ipa,referent\n${rows}`) });
await page.goto(`${base}/it/comunita`);
const listed = await figure('registrations');
await page.selectOption('#import-kind', 'registrations');
await page.setInputFiles('#import-file', registrationsFile('open-data,e2e-import@example.org,Persona Importata,c_g478,no\n'));
await Promise.all([page.waitForURL(/\/it\/comunita\?importate=1$/), page.click('#import-form button[type=submit]')]);
assert.match(await page.textContent('#import-done'), /^1 righe importate/);
assert.equal(await figure('registrations'), listed + 1, 'the imported registration is counted');
await audit('15-import');

assert.deepEqual(errors, [], 'no JavaScript error and no failed request');

// A file with a bad row is refused whole, with the row, its column and what was expected.
await page.selectOption('#import-kind', 'registrations');
await page.setInputFiles('#import-file',
  registrationsFile('open-data,e2e-import2@example.org,Altra Persona,c_g478,no\nopen-data,e2e-import3@example.org,Terza Persona,c_zz999,no\n'));
const [refused] = await Promise.all([page.waitForNavigation(), page.click('#import-form button[type=submit]')]);
assert.equal(refused.status(), 400);
assert.deepEqual(await page.$$eval('#import-errors tbody tr', (rows) => rows.map((r) => [...r.cells].slice(0, 2).map((c) => c.textContent))),
  [['3', 'codice_ipa']]);
await audit('16-import-refused');
await page.goto(`${base}/it/comunita`);
assert.equal(await figure('registrations'), listed + 1, 'nothing of the refused file was written');
console.log('ok import: 1 registration imported from a file; a file with a bad row refused, its row listed, nothing written');

// Error pages are in the site's style too.
const res = await page.goto(`${base}/it/comuni/999999`);
assert.equal(res.status(), 404);
await audit('08-not-found');

await browser.close();
console.log('e2e: all passed');
