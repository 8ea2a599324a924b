// Runs the graphql-http audit suite (GraphQL over HTTP conformance) against the real server.
//
//   node audit.mjs <path to the contacts-graph binary>
//
// The binary creates a reader key in a new SQLite database in a temp directory, then serves
// that database on a free loopback port; every audit request carries the key. Exits non-zero
// when a MUST or SHOULD audit fails (MAY audits are reported, and counted).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serverAudits } from 'graphql-http';

const given = process.argv[2];
if (!given) {
  console.error('usage: node audit.mjs <contacts-graph binary>');
  process.exit(2);
}

// The binary runs in a temp directory: resolve a relative path first.
const binary = resolve(given);
const dir = mkdtempSync(join(tmpdir(), 'cg-audit-'));
const env = {
  ...process.env,
  DATABASE_URL: `sqlite://${join(dir, 'audit.db')}?mode=rwc`,
  CONTACTS_GRAPH__SERVER__ADDRESS: '127.0.0.1:0',
  // The suite sends about 60 requests at once with one key.
  CONTACTS_GRAPH__RATE_LIMIT__ENABLED: 'false',
  RUST_LOG: 'warn,contacts_graph=info',
  NO_COLOR: '1',
};

const created = execFileSync(binary, ['apikey', 'create', '--name', 'audit', '--role', 'reader'], {
  env,
  cwd: dir,
  encoding: 'utf8',
});
const token = created.match(/token \(shown this once\): (cgk_\S+)/)?.[1];
if (!token) {
  console.error(`no token in the output of apikey create:\n${created}`);
  process.exit(1);
}

const server = spawn(binary, ['serve'], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
let log = '';
const url = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`the server did not start within 30 s:\n${log}`)), 30_000);
  const read = (chunk) => {
    log += chunk;
    const found = log.match(/on (http:\/\/127\.0\.0\.1:\d+\/graphql)/);
    if (found) {
      clearTimeout(timer);
      resolve(found[1]);
    }
  };
  server.stdout.on('data', read);
  server.stderr.on('data', read);
  server.on('exit', (code) => reject(new Error(`the server exited (${code}):\n${log}`)));
});

const withKey = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

let failed = false;
try {
  const audits = serverAudits({ url, fetchFn: withKey });
  const results = await Promise.all(audits.map(({ fn }) => fn()));
  const ok = results.filter((result) => result.status === 'ok');
  for (const result of results.filter((result) => result.status !== 'ok')) {
    console.log(`${result.status.toUpperCase()} ${result.id} ${result.name}: ${result.reason}`);
  }
  const count = (status) => results.filter((result) => result.status === status).length;
  console.log(
    `graphql-http audits: ${ok.length} of ${results.length} passed ` +
      `(MUST failures: ${count('error')}, SHOULD failures: ${count('warn')}, MAY not met: ${count('notice')})`,
  );
  failed = count('error') > 0 || count('warn') > 0;
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.kill('SIGKILL');
      resolve();
    }, 15_000);
    server.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
