// GraphQL over HTTP conformance: runs graphql-http's server audits against a running
// server and prints the ok / notice / warn / error counts and every failure.
//
//   node audit.mjs http://127.0.0.1:8000/graphql
//
// Exits 1 when any audit whose requirement is MUST fails (status "error"), 2 on a usage
// or fatal error; SHOULD / MAY failures ("warn" / "notice") are reported only.
import { serverAudits } from 'graphql-http';

const url = process.argv[2] || process.env.GRAPHQL_URL;
if (!url) {
  console.error('usage: node audit.mjs <graphql url>');
  process.exit(2);
}

async function bodyOf(response) {
  try {
    const text = await response.clone().text();
    return text.length > 300 ? `${text.slice(0, 300)}…` : text;
  } catch {
    return '(body not readable)';
  }
}

const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
const failures = [];
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const result = await audit.fn();
  counts[result.status] += 1;
  if (result.status !== 'ok') {
    failures.push({ ...result, body: await bodyOf(result.response) });
  }
}

console.log(`graphql-http server audit of ${url}`);
console.log(
  `ok: ${counts.ok}, notice: ${counts.notice}, warn: ${counts.warn}, error: ${counts.error}`,
);
for (const failure of failures) {
  const status = failure.response ? failure.response.status : '?';
  console.log(`\n[${failure.status}] ${failure.id} ${failure.name}`);
  console.log(`  reason: ${failure.reason}`);
  console.log(`  response: HTTP ${status} ${failure.body}`);
}
const mustFailures = failures.filter((f) => f.status === 'error' || f.name.startsWith('MUST'));
if (mustFailures.length > 0) {
  console.log(`\n${mustFailures.length} MUST audit(s) failed`);
  process.exit(1);
}
console.log('\nno MUST audit failed');
