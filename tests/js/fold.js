// Reads a JSON array of strings on stdin; prints, as JSON, each string's fold() and
// tokenize() from the theme's search script. tests/search_node.rs compares them with Rust's.
'use strict';
const path = require('path');
const search = require(path.join(__dirname, '../../static/js/search.js'));
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = input.map((s) => ({ fold: search.fold(s), tokens: search.tokenize(s) }));
process.stdout.write(JSON.stringify(out));
