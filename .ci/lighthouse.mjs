// Lighthouse (mobile, the default config) on the pages .ci/lighthouse.sh names, in Debian's
// Chromium, one fresh browser per page. Fails when accessibility, best practices or SEO is
// under 100, or CLS is over 0.05, on any page; prints a Markdown table for docs/lighthouse.md.
//
//   node .ci/lighthouse.mjs BASE_URL PAGES_JSON [REPORT_DIR]
//   PAGES_JSON: [{"name": "home", "path": "/", "cookies": {"sessionid": "…"}}, …]
//
// The Node API rather than the CLI's --extra-headers for a signed-in page: Chromium does not
// add DevTools' extra headers to a WebSocket handshake, so the live page would be rendered for
// the session and then told by its socket that nobody joined (measured: CLS 0.336). A cookie in
// the browser's jar, as a phone has it, goes with every request, the socket's included.
// Lighthouse's storage reset clears caches and storage, never cookies.
import fs from 'node:fs';
import path from 'node:path';

import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

const [base, pagesFile, reportDir] = process.argv.slice(2);
const pages = JSON.parse(fs.readFileSync(pagesFile, 'utf8'));
const CHROME_FLAGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const REQUIRED = {accessibility: 1, 'best-practices': 1, seo: 1};
const MAX_CLS = 0.05;
const KB = (bytes) => (bytes / 1024).toFixed(1);

let running = null;  // the browser of the page being audited, killed if this script is stopped
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    running?.kill();
    process.exit(1);
  });
}

async function audit(page) {
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH || '/usr/bin/chromium', chromeFlags: CHROME_FLAGS,
  });
  running = chrome;
  try {
    if (page.cookies) {
      const browser = await puppeteer.connect({browserURL: `http://127.0.0.1:${chrome.port}`});
      const [tab] = await browser.pages();
      await tab.setCookie(...Object.entries(page.cookies).map(([name, value]) => ({
        name, value, domain: new URL(base).hostname, path: '/', sameSite: 'Lax',
      })));
      browser.disconnect();
    }
    const result = await lighthouse(base + page.path, {
      port: chrome.port, output: 'json', logLevel: 'error',
      onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'],
    });
    return result.lhr;
  } finally {
    chrome.kill();
    running = null;
  }
}

const rows = [];
const failures = [];
let version = '';
for (const page of pages) {
  // A trace that failed to record (NO_NAVSTART, NO_FCP) says nothing about the page: try again.
  let lhr = await audit(page);
  for (let attempt = 2; lhr.runtimeError && attempt <= 3; attempt++) {
    process.stderr.write(`lighthouse: ${page.path}: ${lhr.runtimeError.code}, attempt ${attempt}\n`);
    lhr = await audit(page);
  }
  version = `Lighthouse ${lhr.lighthouseVersion}, ${lhr.environment.hostUserAgent.match(/Chrome\/[\d.]+/)?.[0] ?? 'Chromium'}`;
  if (reportDir) fs.writeFileSync(path.join(reportDir, `${page.name}.json`), JSON.stringify(lhr));
  const score = (id) => lhr.categories[id].score;
  const cls = lhr.audits['cumulative-layout-shift'].numericValue ?? Infinity;
  const diagnostics = lhr.audits.diagnostics.details?.items?.[0] ?? {};
  rows.push({page, score, cls, bytes: diagnostics.totalByteWeight, requests: diagnostics.numRequests});
  if (lhr.runtimeError) failures.push(`${page.path}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
  for (const [id, min] of Object.entries(REQUIRED)) {
    if (score(id) === null || score(id) < min) {
      const failing = lhr.categories[id].auditRefs
        .filter((ref) => ref.weight > 0 && lhr.audits[ref.id].score !== null && lhr.audits[ref.id].score < 1)
        .map((ref) => ref.id);
      failures.push(`${page.path}: ${id} ${Math.round(100 * score(id))} (${failing.join(', ')})`);
    }
  }
  if (cls > MAX_CLS) failures.push(`${page.path}: CLS ${cls.toFixed(3)} > ${MAX_CLS}`);
  process.stderr.write(`lighthouse: ${page.path} done\n`);
}

const pct = (value) => (value === null ? 'n/a' : String(Math.round(100 * value)));
console.log(`${version}, mobile, on ${base} (${new Date().toISOString().slice(0, 10)})\n`);
console.log('| page | performance | accessibility | best practices | SEO | CLS | transfer | requests |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const {page, score, cls, bytes, requests} of rows) {
  console.log(`| \`${page.path}\`${page.cookies ? ' (joined)' : ''} | ${pct(score('performance'))} | ${pct(score('accessibility'))} `
    + `| ${pct(score('best-practices'))} | ${pct(score('seo'))} | ${cls.toFixed(3)} | ${KB(bytes ?? 0)} KB | ${requests ?? '?'} |`);
}
if (failures.length) {
  console.error(`\nlighthouse: below the bar (accessibility, best practices, SEO 100; CLS <= ${MAX_CLS}):`);
  for (const failure of failures) console.error(`  ${failure}`);
  process.exit(1);
}
console.log(`\nlighthouse: every page at 100 in accessibility, best practices and SEO, CLS <= ${MAX_CLS}`);
