// A page on another origin runs a query in a real browser (headless Chromium), through CORS.
//
//   node tests/browser/cors-check.mjs <path to the contacts-graph binary> [screenshot.png]
//
// Serves one page from two loopback origins (two ports): the server allows the first in
// `cors.allowed_origins`, not the second. The page POSTs a query with an API key (which makes
// the browser send a preflight first) and writes what happened into the page. Chromium's DOM
// must show the answer on the allowed origin and a blocked request on the other.
import { spawn, execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const [given, screenshot] = process.argv.slice(2);
if (!given) {
  console.error('usage: node cors-check.mjs <contacts-graph binary> [screenshot.png]');
  process.exit(2);
}
// The binary runs in a temp directory: resolve a relative path first.
const binary = resolve(given);
const chromium = process.env.CHROMIUM || 'chromium';

const page = (api, token) => `<!doctype html>
<html><head><meta charset="utf-8"><title>CORS check</title></head>
<body style="font: 16px sans-serif">
<h1>contacts-graph from <span id="origin"></span></h1>
<pre id="result" style="white-space: pre-wrap">pending</pre>
<script>
document.getElementById('origin').textContent = location.origin;
fetch(${JSON.stringify(api)}, {
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json',
    authorization: 'Bearer ${token}',
  },
  body: JSON.stringify({ query: 'query CorsCheck { __typename accounts { totalCount } }' }),
})
  .then((res) => res.json().then((body) => 'answered ' + res.status + ' ' + JSON.stringify(body)))
  .catch((err) => 'blocked ' + err)
  .then((text) => { document.getElementById('result').textContent = text; });
</script></body></html>`;

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

const dir = mkdtempSync(join(tmpdir(), 'cg-cors-'));
let api;
const pages = [];
let failed = false;
try {
  let html = '';
  for (let i = 0; i < 2; i++) {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    });
    pages.push({ server, port: await listen(server) });
  }
  const allowed = `http://127.0.0.1:${pages[0].port}`;
  const other = `http://127.0.0.1:${pages[1].port}`;

  const env = {
    ...process.env,
    DATABASE_URL: `sqlite://${join(dir, 'cors.db')}?mode=rwc`,
    CONTACTS_GRAPH__SERVER__ADDRESS: '127.0.0.1:0',
    CONTACTS_GRAPH__CORS__ALLOWED_ORIGINS: JSON.stringify([allowed]),
    RUST_LOG: 'warn,contacts_graph=info',
    NO_COLOR: '1',
  };
  const created = execFileSync(binary, ['apikey', 'create', '--name', 'browser', '--role', 'reader'], {
    env,
    cwd: dir,
    encoding: 'utf8',
  });
  const token = created.match(/token \(shown this once\): (cgk_\S+)/)?.[1];
  if (!token) throw new Error(`no token in: ${created}`);

  api = spawn(binary, ['serve'], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${log}`)), 30_000);
    const read = (chunk) => {
      log += chunk;
      const found = log.match(/on (http:\/\/127\.0\.0\.1:\d+\/graphql)/);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    };
    api.stdout.on('data', read);
    api.stderr.on('data', read);
    api.on('exit', (code) => reject(new Error(`the server exited (${code}):\n${log}`)));
  });
  html = page(url, token);

  // Asynchronous: the pages are served by this very process, which must not block meanwhile.
  const run = promisify(execFile);
  const dom = async (origin, extra = []) =>
    (await run(
      chromium,
      [
        '--headless',
        '--disable-gpu',
        '--no-sandbox',
        '--no-first-run',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--virtual-time-budget=10000',
        ...extra,
        '--dump-dom',
        `${origin}/`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    )).stdout;
  const result = (text) => text.match(/<pre id="result"[^>]*>([^<]*)<\/pre>/)?.[1] ?? '(no result element)';

  const fromAllowed = result(await dom(allowed));
  console.log(`${allowed}: ${fromAllowed}`);
  if (!fromAllowed.startsWith('answered 200') || !fromAllowed.includes('"totalCount":0')) {
    console.log('FAIL: the page on the allowed origin did not get the answer');
    failed = true;
  }
  const fromOther = result(await dom(other));
  console.log(`${other}: ${fromOther}`);
  if (!fromOther.startsWith('blocked')) {
    console.log('FAIL: the page on an origin not allowed could read the answer');
    failed = true;
  }
  if (screenshot) {
    await run(
      chromium,
      [
        '--headless',
        '--disable-gpu',
        '--no-sandbox',
        '--no-first-run',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--virtual-time-budget=10000',
        '--window-size=1000,400',
        `--screenshot=${resolve(screenshot)}`,
        `${allowed}/`,
      ],
      { timeout: 60_000 },
    );
    console.log(`screenshot: ${screenshot}`);
  }
  console.log(failed ? 'browser CORS check failed' : 'browser CORS check passed');
} finally {
  for (const { server } of pages) server.close();
  if (api) {
    api.kill('SIGTERM');
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        api.kill('SIGKILL');
        resolve();
      }, 15_000);
      api.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
