// Drives headless Chromium through chromedriver (WebDriver over HTTP, with Node's fetch):
// types a query into the header's search box of the home page, follows it to /search/, waits
// for the results, then types another query on the search page and picks a desk filter.
// Prints what it saw as JSON; tests/search.rs asserts on it.
//
//   node tests/js/browser.js DRIVER_URL SITE_URL CHROMIUM_BINARY
'use strict';
const [driver, site, binary] = process.argv.slice(2);
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

async function call(method, path, body) {
  const response = await fetch(driver + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
  return json.value;
}

async function main() {
  const session = await call('POST', '/session', {
    capabilities: {
      alwaysMatch: {
        browserName: 'chrome',
        'goog:chromeOptions': {
          binary,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
            '--no-first-run', '--disable-background-networking', '--window-size=1280,1600'],
        },
      },
    },
  });
  const s = `/session/${session.sessionId}`;
  const find = async (css) => (await call('POST', `${s}/element`, { using: 'css selector', value: css }))[ELEMENT];
  const type = async (css, text) => call('POST', `${s}/element/${await find(css)}/value`, { text });
  const run = (script, args = []) => call('POST', `${s}/execute/sync`, { script, args });
  const waitFor = async (script, what) => {
    for (let i = 0; i < 100; i++) {
      const value = await run(script);
      if (value) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}; page: ${await run('return document.body.innerText')}`);
  };
  // The results on the page once `ready` (a JavaScript condition) holds and there are some.
  const results = (ready) => `return (() => {
    const items = [...document.querySelectorAll('#search-results > li')];
    if (items.length === 0 || !(${ready})) return null;
    return {
      url: location.pathname + location.search,
      status: document.getElementById('search-status').textContent,
      titles: items.map((li) => li.querySelector('h2').textContent),
      links: items.map((li) => li.querySelector('a').getAttribute('href')),
      marks: [...document.querySelectorAll('#search-results mark')].map((m) => m.textContent),
      query: document.getElementById('search-query').value,
    };
  })()`;
  const query = (q) => `new URLSearchParams(location.search).get('q') === ${JSON.stringify(q)}
    && document.getElementById('search-results').getAttribute('data-for') === location.search.slice(1)`;
  const seen = {};
  try {
    await call('POST', `${s}/url`, { url: site });
    // The header box is a plain GET form: typing and Enter lead to /search/?q=.
    await type('#header-search-query', 'كارگران ايلام\uE007');
    seen.fromHeader = await waitFor(results(query('كارگران ايلام')), 'results of the header search');
    // On the search page: clear the box, type a word part by part (prefix while typing).
    await call('POST', `${s}/element/${await find('#search-query')}/clear`, {});
    await type('#search-query', 'قالی');
    seen.typed = await waitFor(results(query('قالی')), 'results while typing');
    // A desk filter: only that desk's releases remain.
    await call('POST', `${s}/element/${await find('#search-query')}/clear`, {});
    await type('#search-query', 'کارگری');
    await run(`const d = document.getElementById('search-desk'); d.value = 'sport'; d.dispatchEvent(new Event('change'));`);
    seen.filtered = await waitFor(results(`${query('کارگری')} && location.search.includes('desk=sport')`), 'filtered results');
    seen.deskLabels = await run(`return [...document.querySelectorAll('.search-result-desk')].map((e) => e.textContent)`);
    seen.liveRegion = await run(`const s = document.getElementById('search-status'); return s.getAttribute('role') + ' ' + s.getAttribute('aria-live')`);
  } finally {
    await call('DELETE', s);
  }
  process.stdout.write(JSON.stringify(seen, null, 1) + '\n');
}

main().catch((e) => {
  console.error(String(e && e.stack || e));
  process.exit(1);
});
