// Runs queries against a built site's search index the way the /search/ page does, and counts
// what one query downloads: meta.json, the shards its words need, and the result fragments
// of the first page of results.
//
//   node tests/js/search_query.js SITE_DIR < queries.json
//   node tests/js/search_query.js SITE_DIR 'query' ['query' ...]
//
// queries.json is an array of {"q": "...", "desk": "key", "year": 1402}; the output is JSON:
// per query the news codes of the results in order, the files read and their bytes (as
// stored, and gzipped as most static hosts serve JSON).
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const search = require(path.join(__dirname, '../../static/js/search.js'));

async function run(site, query) {
  const files = [];
  let bytes = 0;
  let gzipped = 0;
  const load = (file) => {
    const data = fs.readFileSync(path.join(site, file));
    files.push(file);
    bytes += data.length;
    gzipped += zlib.gzipSync(data).length;
    return Promise.resolve(data.toString('utf8'));
  };
  // A fresh index per query, as a reader arriving from the header's search box has.
  const index = new search.SearchIndex('search/', load);
  const found = await index.search(query.q, { desk: query.desk, year: query.year });
  const first = found.results.slice(0, search.PAGE_SIZE);
  const fragments = await Promise.all(first.map((r) => index.fragment(r.article)));
  return {
    q: query.q,
    complete: found.complete,
    count: found.results.length,
    ids: fragments.map((f) => Number(f.url.split('/news/')[1].split('/')[0])),
    titles: fragments.map((f) => f.title),
    marked: fragments.map((f) =>
      search.markParts(f.title + ' ' + f.text, found.terms).filter((p) => p.mark).map((p) => p.text)),
    files: files.length,
    bytes,
    gzipped,
  };
}

async function main() {
  const [site, ...args] = process.argv.slice(2);
  const queries = args.length > 0 ? args.map((q) => ({ q })) : JSON.parse(fs.readFileSync(0, 'utf8'));
  const out = [];
  for (const q of queries) out.push(await run(site, q));
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
