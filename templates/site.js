/* adrsite default theme: filtering and sorting of the index (state kept in the URL, so a
   filtered view can be linked: index.html?status=accepted&sort=date&order=asc), and the search
   box. Pages work without it: the index then shows every decision. No external scripts. */
(function () {
  'use strict';

  var table = document.querySelector('table.decisions');
  if (table) { initIndex(table); }
  initSearch();

  function initIndex(table) {
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.forEach(function (row, i) { row.dataset.position = String(i); });
    var chips = Array.prototype.slice.call(document.querySelectorAll('.filters .chip'));
    var headers = Array.prototype.slice.call(table.querySelectorAll('th[data-sort]'));
    var stateLine = document.querySelector('.filter-state');
    var defaults = { sort: 'number', order: 'desc' };

    function readState() {
      var params = new URLSearchParams(window.location.search);
      var status = (params.get('status') || '').split(',').filter(Boolean);
      var sort = params.get('sort') || defaults.sort;
      var order = params.get('order');
      if (order !== 'asc' && order !== 'desc') { order = firstOrder(sort); }
      return { status: status, sort: sort, order: order };
    }

    // Numbers, dates and counts start with the largest; text starts with A.
    function firstOrder(key) {
      return (key === 'number' || key === 'date' || key === 'followups') ? 'desc' : 'asc';
    }

    function writeState(state) {
      var params = new URLSearchParams(window.location.search);
      if (state.status.length) { params.set('status', state.status.join(',')); } else { params.delete('status'); }
      if (state.sort !== defaults.sort || state.order !== defaults.order) {
        params.set('sort', state.sort);
        params.set('order', state.order);
      } else {
        params.delete('sort');
        params.delete('order');
      }
      var query = params.toString();
      try {
        window.history.replaceState(null, '', window.location.pathname + (query ? '?' + query : '') + window.location.hash);
      } catch (e) { /* some browsers refuse this on file:// */ }
    }

    function sortValue(row, key) {
      switch (key) {
        case 'number': return row.dataset.number === '' ? null : parseInt(row.dataset.number, 10);
        case 'date': return row.dataset.date || null;
        case 'followups': return parseInt(row.dataset.followups || '0', 10);
        case 'status': return row.dataset.status;
        case 'category': return row.dataset.category || null;
        default: return (row.querySelector('td.title a') || row).textContent.trim().toLowerCase();
      }
    }

    function apply(state) {
      var shown = 0;
      rows.forEach(function (row) {
        var visible = state.status.length === 0 || state.status.indexOf(row.dataset.status) >= 0;
        row.hidden = !visible;
        if (visible) { shown += 1; }
      });
      chips.forEach(function (chip) {
        var s = chip.dataset.status;
        var active = s === '' ? state.status.length === 0 : state.status.indexOf(s) >= 0;
        if (active) { chip.setAttribute('aria-current', 'true'); } else { chip.removeAttribute('aria-current'); }
      });
      if (stateLine) {
        stateLine.textContent = state.status.length
          ? 'Showing ' + shown + ' of ' + rows.length + ' decisions (' + state.status.join(', ') + ').'
          : '';
      }
      var direction = state.order === 'asc' ? 1 : -1;
      var sorted = rows.slice().sort(function (a, b) {
        var x = sortValue(a, state.sort), y = sortValue(b, state.sort);
        if (x === null && y !== null) { return 1; }
        if (y === null && x !== null) { return -1; }
        if (x !== null && y !== null && x !== y) { return (x < y ? -1 : 1) * direction; }
        return (parseInt(a.dataset.position, 10) - parseInt(b.dataset.position, 10));
      });
      sorted.forEach(function (row) { tbody.appendChild(row); });
      headers.forEach(function (th) {
        if (th.dataset.sort === state.sort) {
          th.setAttribute('aria-sort', state.order === 'asc' ? 'ascending' : 'descending');
        } else {
          th.removeAttribute('aria-sort');
        }
      });
    }

    var state = readState();
    apply(state);

    chips.forEach(function (chip) {
      chip.addEventListener('click', function (event) {
        event.preventDefault();
        var s = chip.dataset.status;
        if (s === '') {
          state.status = [];
        } else if (event.ctrlKey || event.metaKey || event.shiftKey) {
          var at = state.status.indexOf(s);
          if (at >= 0) { state.status.splice(at, 1); } else { state.status.push(s); }
        } else {
          state.status = (state.status.length === 1 && state.status[0] === s) ? [] : [s];
        }
        writeState(state);
        apply(state);
      });
    });

    headers.forEach(function (th) {
      th.tabIndex = 0;
      function sortBy() {
        var key = th.dataset.sort;
        if (state.sort === key) {
          state.order = state.order === 'asc' ? 'desc' : 'asc';
        } else {
          state.sort = key;
          state.order = firstOrder(key);
        }
        writeState(state);
        apply(state);
      }
      th.addEventListener('click', sortBy);
      th.addEventListener('keydown', function (event) {
        if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); sortBy(); }
      });
    });
  }

  function initSearch() {
    var box = document.querySelector('.search');
    if (!box) { return; }
    var input = box.querySelector('input');
    var list = box.querySelector('.search-results');
    var root = box.getAttribute('data-root') || '';
    var entries = null;
    var waiting = [];
    var selected = -1;
    box.hidden = false;

    // The index is a script, not fetched JSON, so that search also works from file://.
    function load(then) {
      if (entries) { then(); return; }
      waiting.push(then);
      if (waiting.length > 1) { return; }
      var script = document.createElement('script');
      script.src = root + 'assets/search-index.js';
      script.onload = function () {
        entries = window.adrsiteSearch || [];
        waiting.splice(0).forEach(function (f) { f(); });
      };
      script.onerror = function () { entries = []; waiting.splice(0).forEach(function (f) { f(); }); };
      document.head.appendChild(script);
    }

    function search(query) {
      var words = query.toLowerCase().split(/\s+/).filter(Boolean);
      if (!words.length) { return []; }
      var results = [];
      entries.forEach(function (e) {
        var title = (e.label + ' ' + e.title).toLowerCase();
        var rest = [e.status, e.statusCategory, (e.tags || []).join(' '), e.summary, e.id].join(' ').toLowerCase();
        var score = 0;
        for (var i = 0; i < words.length; i += 1) {
          if (title.indexOf(words[i]) >= 0) { score += 3; } else if (rest.indexOf(words[i]) >= 0) { score += 1; } else { return; }
        }
        results.push({ entry: e, score: score });
      });
      results.sort(function (a, b) { return b.score - a.score; });
      return results.slice(0, 12).map(function (r) { return r.entry; });
    }

    function show(results, query) {
      while (list.firstChild) { list.removeChild(list.firstChild); }
      selected = -1;
      if (!query) { list.hidden = true; input.setAttribute('aria-expanded', 'false'); return; }
      if (!results.length) {
        var none = document.createElement('li');
        none.className = 'hint';
        none.textContent = 'No decision matches “' + query + '”.';
        list.appendChild(none);
      }
      results.forEach(function (e) {
        var li = document.createElement('li');
        li.setAttribute('role', 'option');
        var a = document.createElement('a');
        a.href = root + e.url;
        a.textContent = (e.label ? e.label + ' ' : '') + e.title + ' ';
        var badge = document.createElement('span');
        badge.className = 'badge badge-' + e.statusCategory;
        badge.textContent = e.status || 'no status';
        a.appendChild(badge);
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    }

    function move(step) {
      var items = list.querySelectorAll('li[role="option"]');
      if (!items.length) { return; }
      if (selected >= 0) { items[selected].removeAttribute('aria-selected'); }
      selected = (selected + step + items.length) % items.length;
      items[selected].setAttribute('aria-selected', 'true');
      items[selected].scrollIntoView({ block: 'nearest' });
    }

    input.addEventListener('focus', function () { load(function () {}); });
    input.addEventListener('input', function () {
      var query = input.value.trim();
      load(function () { show(search(query), query); });
    });
    input.addEventListener('keydown', function (event) {
      if (event.key === 'ArrowDown') { event.preventDefault(); move(1); }
      else if (event.key === 'ArrowUp') { event.preventDefault(); move(-1); }
      else if (event.key === 'Enter') {
        var items = list.querySelectorAll('li[role="option"] a');
        var target = items[selected >= 0 ? selected : 0];
        if (target) { window.location.href = target.href; }
      } else if (event.key === 'Escape') { input.value = ''; show([], ''); }
    });
    document.addEventListener('click', function (event) {
      if (!box.contains(event.target)) { list.hidden = true; input.setAttribute('aria-expanded', 'false'); }
    });
  }
}());
