/* adrsite default theme: the search box. site.js loads this file on the first use of the box;
   it loads the index, assets/search-index.js (window.adrsiteSearch: one entry per decision with
   its plain text), and searches it in the page: every word of the query must occur (as written
   or as the start of a longer word) in the title, the number, status, category and tags, or the
   body; title matches rank first. A query that is a decision number in any spelling (11,
   ADR-11, adr 11, ADR-0011) puts that decision first. Why a scan and not a prebuilt inverted
   index: site/0020. No external scripts. */
window.adrsiteSearchBox = function (box, root) {
  'use strict';
  var input = box.querySelector('input');
  // The results panel is made here: pages carry only the box.
  function element(tag, className, parent) {
    var e = document.createElement(tag);
    e.className = className;
    parent.appendChild(e);
    return e;
  }
  var panel = element('div', 'search-results', box);
  panel.id = 'search-results';
  panel.hidden = true;
  input.setAttribute('aria-controls', panel.id);
  var countLine = element('p', 'search-count', panel);
  countLine.setAttribute('aria-live', 'polite');
  var list = element('ol', 'search-list', panel);
  var more = element('button', 'search-more', panel);
  more.type = 'button';
  more.hidden = true;
  var PAGE = 20;
  var docs = null;
  var results = [], terms = [], mentionMarks = null, shown = 0, timer = null, lastQuery = null;

  // Lower case without accents, one character for one (so positions in the folded text are
  // positions in the original): é → e, but a character that would become two stays as it is.
  var foldCache = {};
  function foldChar(c) {
    var f = foldCache[c];
    if (f === undefined) {
      f = c.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
      if (f.length !== c.length) { f = c; }
      foldCache[c] = f;
    }
    return f;
  }
  function fold(s) {
    s = String(s || '').toLowerCase();
    return /[^\x00-\x7f]/.test(s) ? s.replace(/[^\x00-\x7f]/g, foldChar) : s;
  }

  function prepare(entries) {
    var t0 = performance.now();
    docs = entries.map(function (e, i) {
      var text = e.text || e.summary || '';
      var meta = [e.label, e.status, e.badge, e.statusCategory, e.category, (e.tags || []).join(' '), e.id].join(' ');
      return { e: e, i: i, text: text, title: fold(e.title), meta: fold(meta), body: fold(text) };
    });
    box.dataset.prepareMs = String(Math.round(performance.now() - t0));
  }

  function load(then) {
    if (docs) { then(); return; }
    setCount('Loading the search index…');
    open();
    var t0 = performance.now();
    var script = document.createElement('script');
    script.src = root + 'assets/search-index.js';
    script.onload = function () {
      prepare(window.adrsiteSearch || []);
      box.dataset.loadMs = String(Math.round(performance.now() - t0));
      then();
    };
    script.onerror = function () { setCount('The search index could not be loaded.'); };
    document.head.appendChild(script);
  }

  // "11", "ADR-11", "adr 11", "ADR-0011", "#11": a decision number.
  var NUMBER = /^(?:adr)?[\s\-_#.:]*0*(\d{1,7})$/i;

  function isWordStart(text, at) { return at === 0 || !/[a-z0-9]/.test(text.charAt(at - 1)); }

  function countIn(text, term, cap) {
    var n = 0, at = text.indexOf(term);
    while (at >= 0 && n < cap) { n += 1; at = text.indexOf(term, at + term.length); }
    return n;
  }

  // Typing one more letter only narrows the matches: the next search reads only those.
  var lastWords = null, lastMatches = null;
  function narrows(words) {
    if (!lastWords || !lastMatches || words.length < lastWords.length) { return false; }
    for (var i = 0; i < lastWords.length; i += 1) { if (words[i].indexOf(lastWords[i]) < 0) { return false; } }
    return true;
  }

  function search(query) {
    var number = NUMBER.exec(query.trim());
    var words = fold(query).split(/\s+/).filter(Boolean);
    // Longest first: the rarest words usually, so most decisions are ruled out by the first test.
    var ordered = words.slice().sort(function (a, b) { return b.length - a.length; });
    var mention = number ? new RegExp('adr[\\s\\-_]*0*' + number[1] + '(?![0-9])') : null;
    var spelled = !!number && !/^[\s#0-9]*$/.test(query);
    // One letter alone is looked for in titles, numbers, statuses and tags only.
    var bodies = query.trim().length > 1;
    var pool = !number && narrows(words) ? lastMatches : docs;
    var found = [];
    for (var k = 0; k < pool.length; k += 1) {
      var d = pool[k], score = 0, matched = true;
      // The decision of that number first, then those that mention it, then text matches.
      var named = false;
      if (number && d.e.number === parseInt(number[1], 10)) { score += 1000; named = true; }
      else if (mention && mention.test(d.body)) { score += 100; named = true; }
      // "ADR-11" and "adr 11" name a decision: no text match of "adr" and "11" apart.
      if (spelled) {
        if (named) { found.push({ d: d, score: score }); }
        continue;
      }
      for (var w = 0; w < ordered.length; w += 1) {
        var term = ordered[w];
        var inTitle = d.title.indexOf(term), inMeta = d.meta.indexOf(term), inBody = bodies ? d.body.indexOf(term) : -1;
        if (inTitle < 0 && inMeta < 0 && inBody < 0) { matched = false; break; }
        if (inTitle >= 0) { score += isWordStart(d.title, inTitle) ? 30 : 15; }
        if (inMeta >= 0) { score += isWordStart(d.meta, inMeta) ? 12 : 6; }
        if (inBody >= 0) { score += (isWordStart(d.body, inBody) ? 3 : 1) + countIn(d.body, term, 5); }
      }
      if (matched || named) { found.push({ d: d, score: score }); }
    }
    found.sort(function (a, b) {
      return (b.score - a.score) || ((b.d.e.number || 0) - (a.d.e.number || 0)) || (a.d.i - b.d.i);
    });
    terms = words;
    mentionMarks = spelled ? new RegExp(mention.source, 'g') : null;
    lastWords = bodies && !number ? words : null;
    lastMatches = found.map(function (r) { return r.d; });
    return found;
  }

  // About 200 characters of the body around the first match, cut at spaces, matches marked.
  function snippet(d) {
    var at = -1;
    if (mentionMarks) {
      mentionMarks.lastIndex = 0;
      var first = mentionMarks.exec(d.body);
      at = first ? first.index : -1;
    }
    for (var w = 0; w < terms.length && at < 0 && !mentionMarks; w += 1) { at = d.body.indexOf(terms[w]); }
    var text = d.text, start = 0;
    if (at > 60) {
      start = text.lastIndexOf(' ', at - 50);
      start = start < 0 ? 0 : start + 1;
    }
    var end = Math.min(text.length, start + 200);
    if (end < text.length) { var space = text.indexOf(' ', end); end = space < 0 || space - end > 30 ? end : space; }
    var folded = d.body.slice(start, end);
    var marks = [];
    if (mentionMarks) {
      mentionMarks.lastIndex = 0;
      for (var m = mentionMarks.exec(folded); m; m = mentionMarks.exec(folded)) { marks.push([m.index, m.index + m[0].length]); }
    } else {
      terms.forEach(function (term) {
        for (var i = folded.indexOf(term); i >= 0; i = folded.indexOf(term, i + term.length)) { marks.push([i, i + term.length]); }
      });
    }
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var span = document.createElement('span');
    span.className = 'snippet';
    if (start > 0) { span.appendChild(document.createTextNode('… ')); }
    var pos = 0;
    marks.forEach(function (m) {
      if (m[0] < pos) { return; }
      span.appendChild(document.createTextNode(text.slice(start + pos, start + m[0])));
      var mark = document.createElement('mark');
      mark.textContent = text.slice(start + m[0], start + m[1]);
      span.appendChild(mark);
      pos = m[1];
    });
    span.appendChild(document.createTextNode(text.slice(start + pos, end) + (end < text.length ? ' …' : '')));
    return span;
  }

  function item(d) {
    var e = d.e;
    var li = document.createElement('li');
    var a = document.createElement('a');
    a.href = root + e.url;
    var title = document.createElement('span');
    title.className = 'result-title';
    if (e.label) {
      var label = document.createElement('span');
      label.className = 'result-label';
      label.textContent = e.label;
      title.appendChild(label);
      title.appendChild(document.createTextNode(' '));
    }
    title.appendChild(document.createTextNode(e.title));
    a.appendChild(title);
    var badge = document.createElement('span');
    badge.className = 'badge badge-' + e.statusCategory;
    badge.textContent = e.badge || e.status || 'no status';
    a.appendChild(badge);
    a.appendChild(snippet(d));
    li.appendChild(a);
    return li;
  }

  function setCount(text) { countLine.textContent = text; }
  function open() { panel.hidden = false; }
  function close() { panel.hidden = true; }

  function showMore() {
    var next = results.slice(shown, shown + PAGE);
    next.forEach(function (r) { list.appendChild(item(r.d)); });
    shown += next.length;
    more.hidden = shown >= results.length;
    more.textContent = 'Show ' + Math.min(PAGE, results.length - shown) + ' more of ' + results.length;
  }

  function run() {
    timer = null;
    var query = input.value.trim();
    if (query === lastQuery) { return; }
    lastQuery = query;
    while (list.firstChild) { list.removeChild(list.firstChild); }
    shown = 0;
    if (!query) { results = []; more.hidden = true; close(); return; }
    var t0 = performance.now();
    results = search(query);
    var n = results.length;
    setCount(n === 0 ? 'No decision matches “' + query + '”.'
      : n + (n === 1 ? ' decision matches' : ' decisions match') + ' “' + query + '”'
        + (n > PAGE ? ', best first' : '') + '.');
    showMore();
    open();
    box.dataset.queryMs = String(Math.round(performance.now() - t0));
    box.dataset.results = String(n);
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    // Large logs: wait for a pause in typing rather than search on every key.
    timer = setTimeout(run, docs && docs.length > 2000 ? 120 : 0);
  }

  function links() { return Array.prototype.slice.call(list.querySelectorAll('a')); }

  input.addEventListener('input', function () { load(schedule); });
  input.addEventListener('focus', function () { if (input.value.trim() && docs) { open(); } });
  input.addEventListener('keydown', function (event) {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      if (links()[0]) { links()[0].focus(); }
    } else if (event.key === 'Enter') {
      if (timer) { clearTimeout(timer); run(); }
      var first = links()[0];
      if (first) { window.location.href = first.href; }
    } else if (event.key === 'Escape') {
      input.value = '';
      run();
    }
  });
  list.addEventListener('keydown', function (event) {
    var all = links(), at = all.indexOf(document.activeElement);
    if (event.key === 'ArrowDown' && at + 1 < all.length) { event.preventDefault(); all[at + 1].focus(); }
    else if (event.key === 'ArrowUp') { event.preventDefault(); if (at > 0) { all[at - 1].focus(); } else { input.focus(); } }
    else if (event.key === 'Escape') { input.focus(); close(); }
  });
  more.addEventListener('click', showMore);
  document.addEventListener('click', function (event) { if (!box.contains(event.target)) { close(); } });

  load(function () { if (input.value.trim()) { schedule(); } });
};
