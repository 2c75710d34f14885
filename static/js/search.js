/* chapar search: reads the split index that `chapar build` writes under search/ and shows
 * the results on the /search/ page. Plain JavaScript, no framework, no request to another
 * host. The same file runs in Node for the tests (module.exports), where it is given a
 * function that reads the index files from disk.
 *
 * fold() and tokenize() must give exactly what src/persian/folding.rs and
 * src/search/tokens.rs give; tests/search.rs compares them byte for byte. */
(function () {
  'use strict';

  var FORMAT_VERSION = 2;
  /* Words shorter than this are neither indexed nor searched; longer than MAX_CHARS neither. */
  var MIN_CHARS = 2;
  var MAX_CHARS = 40;
  /* How many shards a word typed so far may pull in for its longer forms. */
  var MAX_PREFIX_SHARDS = 2;
  /* A longer form found by prefix counts a little less than the word itself. */
  var PREFIX_FACTOR = 0.7;
  var PAGE_SIZE = 10;
  /* Words of a query past this many are left out: each may fetch a shard, and six words
   * already pick out a release (see docs/search.md for what one query transfers). */
  var MAX_QUERY_WORDS = 6;

  var WORD_CHAR = /[\p{Alphabetic}\p{N}]/u;
  /* A word as written in the text, with what folding removes inside it (ZWNJ, marks). */
  var WRITTEN_WORD = /[\p{Alphabetic}\p{N}\p{M}\u0640\u200B-\u200F\u00AD]+/gu;

  /* The search form of a text; a port of persian::folding::fold. */
  function fold(text) {
    var normalized = text.normalize('NFKC');
    var out = '';
    for (var c of normalized) {
      var cp = c.codePointAt(0);
      switch (cp) {
        case 0x064A: case 0x0649: case 0x0626: out += '\u06CC'; continue; /* ي ى ئ → ی */
        case 0x0643: out += '\u06A9'; continue; /* ك → ک */
        case 0x0629: case 0x06C0: out += '\u0647'; continue; /* ة ۀ → ه */
        case 0x0623: case 0x0625: case 0x0622: case 0x0671: out += '\u0627'; continue; /* أ إ آ ٱ → ا */
        case 0x0624: out += '\u0648'; continue; /* ؤ → و */
      }
      if (cp === 0x0640 || (cp >= 0x064B && cp <= 0x065F) || cp === 0x0670 ||
          (cp >= 0x200B && cp <= 0x200F) || cp === 0x00AD ||
          (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) {
        continue;
      }
      if (cp >= 0x06F0 && cp <= 0x06F9) { out += String.fromCharCode(0x30 + cp - 0x06F0); continue; }
      if (cp >= 0x0660 && cp <= 0x0669) { out += String.fromCharCode(0x30 + cp - 0x0660); continue; }
      out += c.toLowerCase();
    }
    return out;
  }

  function isAsciiDigit(c) {
    return c !== undefined && c >= '0' && c <= '9';
  }

  /* The folded words of a text; a port of search::tokens::tokenize. */
  function tokenize(text) {
    var chars = Array.from(fold(text));
    var words = [];
    var word = '';
    var length = 0;
    function push() {
      if (length >= MIN_CHARS && length <= MAX_CHARS) words.push(word);
      word = '';
      length = 0;
    }
    for (var i = 0; i < chars.length; i++) {
      var c = chars[i];
      if (WORD_CHAR.test(c)) {
        word += c;
        length++;
        continue;
      }
      if ((c === ',' || c === '\u066C') && i > 0 && isAsciiDigit(chars[i - 1]) && isAsciiDigit(chars[i + 1])) {
        continue;
      }
      push();
    }
    push();
    return words;
  }

  /* The query's distinct words; the last one also matches longer words (typing "کار" finds
   * "کارگران"). */
  function parseQuery(query) {
    var words = [];
    tokenize(query).forEach(function (w) {
      if (words.indexOf(w) < 0 && words.length < MAX_QUERY_WORDS) words.push(w);
    });
    return words.map(function (w, i) {
      return { word: w, prefix: i === words.length - 1 };
    });
  }

  /* (gap, weight) pairs in the base-32 text form of src/search/encoding.rs. */
  var ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVabcdefghijklmnopqrstuvwxyz-_WXYZ';
  var DIGIT = {};
  for (var d = 0; d < ALPHABET.length; d++) DIGIT[ALPHABET[d]] = d;

  function decodePostings(text, into, factor) {
    var numbers = [];
    var value = 0;
    var scale = 1;
    for (var i = 0; i < text.length; i++) {
      var digit = DIGIT[text[i]];
      if (digit >= 32) {
        value += (digit - 32) * scale;
        scale *= 32;
      } else {
        numbers.push(value + digit * scale);
        value = 0;
        scale = 1;
      }
    }
    var article = 0;
    for (var j = 0; j + 1 < numbers.length; j += 2) {
      article += numbers[j];
      var weight = numbers[j + 1] * factor;
      var previous = into.get(article);
      if (previous === undefined || previous < weight) into.set(article, weight);
    }
  }

  /* The split index under `base` (a URL ending with "/"). `load(url)` returns a promise of the
   * file's text; it is fetch() in the browser and a file read in the tests. */
  function SearchIndex(base, load) {
    this.base = base;
    this.load = load;
    this.meta = null;
    this.shards = new Map();
    this.chunks = new Map();
  }

  SearchIndex.prototype.ready = function () {
    var self = this;
    if (!this.metaPromise) {
      this.metaPromise = this.load(this.base + 'meta.json', true).then(function (text) {
        var meta = JSON.parse(text);
        if (meta.version !== FORMAT_VERSION) throw new Error('index format ' + meta.version);
        self.meta = meta;
        return meta;
      });
    }
    return this.metaPromise;
  };

  /* The shard that holds `word`: the last one whose first word is not after it. */
  SearchIndex.prototype.shardOf = function (word) {
    var shards = this.meta.shards;
    var low = 0;
    var high = shards.length - 1;
    while (low < high) {
      var mid = (low + high + 1) >> 1;
      if (shards[mid][0] <= word) low = mid; else high = mid - 1;
    }
    return low;
  };

  SearchIndex.prototype.shard = function (i) {
    var self = this;
    if (!this.shards.has(i)) {
      this.shards.set(i, this.load(this.base + 's/' + this.meta.shards[i][1] + '.json').then(JSON.parse));
    }
    return this.shards.get(i);
  };

  /* Article number → best weight, for one query word. */
  SearchIndex.prototype.postings = function (term) {
    var first = this.shardOf(term.word);
    var wanted = [first];
    if (term.prefix) {
      for (var j = first + 1; j < this.meta.shards.length && wanted.length < MAX_PREFIX_SHARDS; j++) {
        if (!this.meta.shards[j][0].startsWith(term.word)) break;
        wanted.push(j);
      }
    }
    var self = this;
    return Promise.all(wanted.map(function (i) { return self.shard(i); })).then(function (shards) {
      var found = new Map();
      shards.forEach(function (entries) {
        var low = 0;
        var high = entries.length;
        while (low < high) {
          var mid = (low + high) >> 1;
          if (entries[mid][0] < term.word) low = mid + 1; else high = mid;
        }
        for (var k = low; k < entries.length; k++) {
          var w = entries[k][0];
          if (w === term.word) {
            decodePostings(entries[k][1], found, 1);
          } else if (term.prefix && w.startsWith(term.word)) {
            decodePostings(entries[k][1], found, PREFIX_FACTOR);
          } else {
            break;
          }
        }
      });
      return found;
    });
  };

  /* Ranked article numbers for a query: articles holding every word first (else those holding
   * the most words), by weight times rarity, newest first among equals. `filters.desk` is a
   * desk key, `filters.year` a Jalali year (number), either may be empty. */
  SearchIndex.prototype.search = function (query, filters) {
    var terms = parseQuery(query);
    var self = this;
    filters = filters || {};
    return this.ready().then(function (meta) {
      if (terms.length === 0) return { terms: terms, results: [], complete: true };
      return Promise.all(terms.map(function (t) { return self.postings(t); })).then(function (lists) {
        var keep = articleFilter(meta, filters);
        var scores = new Map();
        lists.forEach(function (list) {
          var rarity = Math.log(1 + meta.count / Math.max(1, list.size));
          list.forEach(function (weight, article) {
            if (!keep(article)) return;
            var s = scores.get(article) || { article: article, words: 0, score: 0 };
            s.words += 1;
            s.score += weight * rarity;
            scores.set(article, s);
          });
        });
        var most = 0;
        scores.forEach(function (s) { if (s.words > most) most = s.words; });
        var results = [];
        scores.forEach(function (s) { if (s.words === most) results.push(s); });
        results.sort(function (a, b) {
          var diff = Math.round((b.score - a.score) * 1e6);
          return diff !== 0 ? diff : b.article - a.article;
        });
        return { terms: terms, results: results, complete: most === terms.length };
      });
    });
  };

  function articleFilter(meta, filters) {
    var desk = -1;
    if (filters.desk) {
      desk = meta.desks.findIndex(function (d) { return d[0] === filters.desk; });
      if (desk < 0) return function () { return false; };
    }
    var range = null;
    if (filters.year) {
      var year = Number(filters.year);
      range = meta.years.find(function (y) { return y[0] === year; }) || [year, 0, 0];
    }
    return function (article) {
      if (desk >= 0 && meta.desk_of.charCodeAt(article) - 0x30 !== desk) return false;
      if (range && (article < range[1] || article >= range[2])) return false;
      return true;
    };
  }

  /* What a result shows: title, link, date, desk, snippet text. Results come in chunks of
   * meta.chunk consecutive articles, each fetched once. */
  SearchIndex.prototype.fragment = function (article) {
    var self = this;
    return this.ready().then(function (meta) {
      var c = Math.floor(article / meta.chunk);
      if (!self.chunks.has(c)) {
        self.chunks.set(c, self.load(self.base + 'd/' + c + '.json').then(JSON.parse));
      }
      return self.chunks.get(c).then(function (items) {
        var item = items[article - c * meta.chunk];
        var desk = meta.desks[meta.desk_of.charCodeAt(article) - 0x30];
        return { title: item[0], url: item[1], date: item[2], desk: desk ? desk[1] : '', text: item[3] };
      });
    });
  };

  /* Whether a written word matches a query word. */
  function matches(written, terms) {
    return tokenize(written).some(function (w) {
      return terms.some(function (t) {
        return w === t.word || (t.prefix && w.startsWith(t.word));
      });
    });
  }

  /* A text cut into parts `{text, mark}` where the words matching the query are marked.
   * With `window`, only about that many words around the first match (or from the start). */
  function markParts(text, terms, window) {
    var pieces = [];
    var at = 0;
    var m;
    WRITTEN_WORD.lastIndex = 0;
    while ((m = WRITTEN_WORD.exec(text)) !== null) {
      if (m.index > at) pieces.push({ text: text.slice(at, m.index), word: false, mark: false });
      pieces.push({ text: m[0], word: true, mark: matches(m[0], terms) });
      at = m.index + m[0].length;
    }
    if (at < text.length) pieces.push({ text: text.slice(at), word: false, mark: false });
    if (!window) return pieces;
    var first = pieces.findIndex(function (p) { return p.mark; });
    var start = 0;
    if (first > 0) {
      var before = 0;
      start = first;
      while (start > 0 && before < 8) {
        start--;
        if (pieces[start].word) before++;
      }
    }
    var end = start;
    var words = 0;
    while (end < pieces.length && words < window) {
      if (pieces[end].word) words++;
      end++;
    }
    var shown = pieces.slice(start, end);
    if (start > 0) shown.unshift({ text: '… ', word: false, mark: false });
    if (end < pieces.length) shown.push({ text: ' …', word: false, mark: false });
    return shown;
  }

  function persianDigits(text) {
    return String(text).replace(/[0-9]/g, function (d) { return '\u06F0\u06F1\u06F2\u06F3\u06F4\u06F5\u06F6\u06F7\u06F8\u06F9'[d]; });
  }

  var api = {
    fold: fold,
    tokenize: tokenize,
    parseQuery: parseQuery,
    SearchIndex: SearchIndex,
    markParts: markParts,
    PAGE_SIZE: PAGE_SIZE
  };
  if (typeof module === 'object' && module.exports) {
    module.exports = api;
    return;
  }
  if (typeof document === 'undefined') return;

  /* ---- The /search/ page ---- */
  var root = document.getElementById('search');
  if (!root) return;
  var form = root.querySelector('form');
  var input = document.getElementById('search-query');
  var deskSelect = document.getElementById('search-desk');
  var yearSelect = document.getElementById('search-year');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  var more = document.getElementById('search-more');
  var index = new SearchIndex(root.getAttribute('data-index'), function (url, fresh) {
    return fetch(url, fresh ? { cache: 'no-cache' } : {}).then(function (r) {
      if (!r.ok) throw new Error(url + ': ' + r.status);
      return r.text();
    });
  });
  var text = function (key, values) {
    var s = root.getAttribute('data-' + key) || '';
    Object.keys(values || {}).forEach(function (k) { s = s.split('{' + k + '}').join(values[k]); });
    return s;
  };
  var current = null;
  var shown = 0;
  var generation = 0;

  root.classList.add('search-ready');

  function appendParts(parent, parts) {
    parts.forEach(function (p) {
      if (p.mark) {
        var mark = document.createElement('mark');
        mark.textContent = p.text;
        parent.appendChild(mark);
      } else {
        parent.appendChild(document.createTextNode(p.text));
      }
    });
  }

  function renderResult(fragment, terms) {
    var item = document.createElement('li');
    item.className = 'search-result';
    var heading = document.createElement('h2');
    heading.className = 'search-result-title';
    var link = document.createElement('a');
    link.href = fragment.url;
    appendParts(link, markParts(fragment.title, terms));
    heading.appendChild(link);
    var meta = document.createElement('p');
    meta.className = 'card-meta';
    var desk = document.createElement('span');
    desk.className = 'search-result-desk';
    desk.textContent = fragment.desk;
    var date = document.createElement('span');
    date.textContent = fragment.date;
    meta.appendChild(desk);
    meta.appendChild(date);
    var snippet = document.createElement('p');
    snippet.className = 'search-snippet';
    appendParts(snippet, markParts(fragment.text, terms, 40));
    item.appendChild(heading);
    item.appendChild(meta);
    item.appendChild(snippet);
    return item;
  }

  function showMore(mine) {
    var batch = current.results.slice(shown, shown + PAGE_SIZE);
    shown += batch.length;
    more.hidden = shown >= current.results.length;
    return Promise.all(batch.map(function (r) { return index.fragment(r.article); })).then(function (fragments) {
      if (mine !== generation) return;
      fragments.forEach(function (f) { list.appendChild(renderResult(f, current.terms)); });
    });
  }

  function run() {
    var mine = ++generation;
    var query = input.value.trim();
    var filters = { desk: deskSelect.value, year: yearSelect.value };
    var params = new URLSearchParams();
    if (query) params.set('q', query);
    if (filters.desk) params.set('desk', filters.desk);
    if (filters.year) params.set('year', filters.year);
    var search = params.toString();
    history.replaceState(null, '', search ? '?' + search : location.pathname);
    if (parseQuery(query).length === 0) {
      list.textContent = '';
      more.hidden = true;
      status.textContent = query ? text('short') : '';
      return;
    }
    index.search(query, filters).then(function (found) {
      if (mine !== generation) return;
      current = found;
      shown = 0;
      list.textContent = '';
      var quoted = { count: persianDigits(found.results.length), query: query };
      if (found.results.length === 0) {
        status.textContent = text('none', quoted);
        more.hidden = true;
        return;
      }
      status.textContent = text(found.complete ? 'count' : 'partial', quoted);
      return showMore(mine);
    }).then(function () {
      /* Which search the list now shows (the tests wait for it). */
      if (mine === generation) list.setAttribute('data-for', search);
    }).catch(function () {
      if (mine !== generation) return;
      status.textContent = text('error');
    });
  }

  var timer = 0;
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(run, 200);
  });
  deskSelect.addEventListener('change', run);
  yearSelect.addEventListener('change', run);
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    clearTimeout(timer);
    run();
  });
  more.addEventListener('click', function () {
    var next = list.children.length;
    showMore(generation).then(function () {
      var link = list.children[next] && list.children[next].querySelector('a');
      if (link) link.focus();
    });
  });

  var params = new URLSearchParams(location.search);
  input.value = params.get('q') || '';
  deskSelect.value = params.get('desk') || '';
  yearSelect.value = params.get('year') || '';
  if (input.value) run();
})();
