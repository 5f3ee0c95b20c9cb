/* adrsite default theme: filtering and sorting of the index (state kept in the address, each
   change a history entry: index.html?status=accepted&category=infra&sort=date&order=asc), the
   search box (its code and index loaded on first use, see search.js), copy-link buttons and the
   table of contents on decision pages. Pages work without it: the index then shows every
   decision. No external scripts. */
(function () {
  'use strict';

  var table = document.querySelector('table.decisions');
  if (table) { initIndex(table); }
  initSearch();
  initDecision();

  function initIndex(table) {
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.querySelectorAll('tr[data-status]'));
    rows.forEach(function (row, i) { row.dataset.position = String(i); });
    var chips = Array.prototype.slice.call(document.querySelectorAll('.filters .chip[data-status]'));
    var categoryChips = Array.prototype.slice.call(document.querySelectorAll('.filters .chip[data-category]'));
    var headers = Array.prototype.slice.call(table.querySelectorAll('th[data-sort]'));
    var stateLine = document.querySelector('.filter-state');
    var columns = table.tHead ? table.tHead.rows[0].cells.length : 1;
    var defaults = { sort: table.dataset.defaultSort || 'number', order: 'desc' };
    var sortKeys = headers.map(function (th) { return th.dataset.sort; });
    var statuses = chips.map(function (c) { return c.dataset.status; }).filter(Boolean);
    var categories = categoryChips.map(function (c) { return c.dataset.category; }).filter(Boolean);
    // Year headings on long logs sorted by date or number.
    var grouped = rows.length >= 40 && rows.some(function (r) { return r.dataset.date; });

    // Values in the address that this log does not have are ignored, never an empty table.
    function readState() {
      var params = new URLSearchParams(window.location.search);
      function list(name, known) {
        return (params.get(name) || '').split(',').filter(function (s) { return known.indexOf(s) >= 0; });
      }
      var sort = params.get('sort');
      if (sortKeys.indexOf(sort) < 0) { sort = defaults.sort; }
      var order = params.get('order');
      if (order !== 'asc' && order !== 'desc') { order = firstOrder(sort); }
      return { status: list('status', statuses), category: list('category', categories), sort: sort, order: order };
    }

    // Numbers, dates and counts start with the largest; text starts with A.
    function firstOrder(key) {
      return (key === 'number' || key === 'date' || key === 'followups') ? 'desc' : 'asc';
    }

    function address(state) {
      var params = new URLSearchParams(window.location.search);
      ['status', 'category'].forEach(function (name) {
        if (state[name].length) { params.set(name, state[name].join(',')); } else { params.delete(name); }
      });
      if (state.sort !== defaults.sort || state.order !== defaults.order) {
        params.set('sort', state.sort);
        params.set('order', state.order);
      } else {
        params.delete('sort');
        params.delete('order');
      }
      var query = params.toString().replace(/%2C/g, ',');
      return window.location.pathname + (query ? '?' + query : '') + window.location.hash;
    }

    // Each change is a history entry: Back undoes it.
    function pushState(state) {
      try { window.history.pushState(null, '', address(state)); } catch (e) { /* some browsers refuse on file:// */ }
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

    function inYearOrder(sorted) {
      var seen = {}, last = null, ok = true;
      sorted.forEach(function (row) {
        if (row.hidden || !ok) { return; }
        var y = (row.dataset.date || '').slice(0, 4) || 'Undated';
        if (y !== last) { if (seen[y]) { ok = false; } seen[y] = true; last = y; }
      });
      return ok;
    }

    function apply(state) {
      var shown = 0;
      rows.forEach(function (row) {
        var category = row.dataset.category || '-';
        var visible = (state.status.length === 0 || state.status.indexOf(row.dataset.status) >= 0)
          && (state.category.length === 0 || state.category.indexOf(category) >= 0);
        row.hidden = !visible;
        if (visible) { shown += 1; }
      });
      function mark(list, attribute, active) {
        list.forEach(function (chip) {
          var value = chip.dataset[attribute];
          var on = value === '' ? active.length === 0 : active.indexOf(value) >= 0;
          if (on) { chip.setAttribute('aria-current', 'true'); } else { chip.removeAttribute('aria-current'); }
        });
      }
      mark(chips, 'status', state.status);
      mark(categoryChips, 'category', state.category);
      if (stateLine) {
        var filters = state.status.concat(state.category);
        stateLine.textContent = filters.length
          ? 'Showing ' + shown + ' of ' + rows.length + ' decisions (' + filters.join(', ') + ').'
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
      Array.prototype.slice.call(tbody.querySelectorAll('tr.group')).forEach(function (g) { tbody.removeChild(g); });
      var year = null;
      var counts = {};
      // Years head the rows when they follow each other in the order shown (by date, or by
      // number where numbers follow dates); never a year twice.
      var byYear = grouped && (state.sort === 'date' || state.sort === 'number') && inYearOrder(sorted);
      if (byYear) {
        sorted.forEach(function (row) {
          if (!row.hidden) { var y = (row.dataset.date || '').slice(0, 4) || 'Undated'; counts[y] = (counts[y] || 0) + 1; }
        });
      }
      sorted.forEach(function (row) {
        if (byYear && !row.hidden) {
          var y = (row.dataset.date || '').slice(0, 4) || 'Undated';
          if (y !== year) {
            year = y;
            var group = document.createElement('tr');
            group.className = 'group';
            var th = document.createElement('th');
            th.colSpan = columns;
            th.scope = 'colgroup';
            th.textContent = y;
            var count = document.createElement('span');
            count.className = 'count';
            count.textContent = counts[y] + (counts[y] === 1 ? ' decision' : ' decisions');
            th.appendChild(count);
            group.appendChild(th);
            tbody.appendChild(group);
          }
        }
        tbody.appendChild(row);
      });
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
    window.addEventListener('popstate', function () { state = readState(); apply(state); });

    function toggle(list, value, additive) {
      if (value === '') { return []; }
      if (additive) {
        var copy = list.slice(), at = copy.indexOf(value);
        if (at >= 0) { copy.splice(at, 1); } else { copy.push(value); }
        return copy;
      }
      return (list.length === 1 && list[0] === value) ? [] : [value];
    }

    chips.concat(categoryChips).forEach(function (chip) {
      chip.addEventListener('click', function (event) {
        event.preventDefault();
        var additive = event.ctrlKey || event.metaKey || event.shiftKey;
        if (chip.dataset.status !== undefined) {
          state.status = toggle(state.status, chip.dataset.status, additive);
        } else {
          state.category = toggle(state.category, chip.dataset.category, additive);
        }
        pushState(state);
        apply(state);
      });
    });

    // Sortable headers are buttons inside the <th>, which carries aria-sort.
    headers.forEach(function (th) {
      var button = document.createElement('button');
      button.type = 'button';
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener('click', function () {
        var key = th.dataset.sort;
        if (state.sort === key) {
          state.order = state.order === 'asc' ? 'desc' : 'asc';
        } else {
          state.sort = key;
          state.order = firstOrder(key);
        }
        pushState(state);
        apply(state);
      });
    });
  }

  function initSearch() {
    var box = document.querySelector('.search');
    if (!box) { return; }
    var input = box.querySelector('input');
    var root = box.getAttribute('data-root') || '';
    var started = false;
    box.hidden = false;

    // The engine and the index are scripts, loaded on first use (not with the page, so small
    // pages stay small; not with fetch(), which does not work from file://).
    function start() {
      if (started) { return; }
      started = true;
      var engine = document.createElement('script');
      engine.src = root + 'assets/search.js';
      engine.onload = function () { window.adrsiteSearchBox(box, root); };
      document.head.appendChild(engine);
    }
    input.addEventListener('focus', start);
    input.addEventListener('input', start);

    // "/" focuses the search box, as on GitHub, unless the reader is typing somewhere.
    document.addEventListener('keydown', function (event) {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) { return; }
      var t = event.target;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) { return; }
      event.preventDefault();
      input.focus();
      input.select();
    });
  }

  function initDecision() {
    var article = document.querySelector('article.decision');
    if (!article) { return; }
    var page = window.location.href.split('#')[0];

    function copy(text, button) {
      function done() {
        button.textContent = 'Copied';
        button.classList.add('copied');
        setTimeout(function () { button.textContent = button.dataset.label; button.classList.remove('copied'); }, 1500);
      }
      function fallback() {
        var area = document.createElement('textarea');
        area.value = text;
        area.setAttribute('readonly', '');
        area.style.position = 'fixed';
        area.style.opacity = '0';
        document.body.appendChild(area);
        area.select();
        try { document.execCommand('copy'); done(); } catch (e) { /* nothing to copy with */ }
        document.body.removeChild(area);
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, fallback);
      } else {
        fallback();
      }
    }

    function button(label, name, link) {
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'copy-link';
      b.textContent = label;
      b.dataset.label = label;
      b.setAttribute('aria-label', name);
      b.addEventListener('click', function () { copy(link, b); });
      return b;
    }

    var meta = article.querySelector('.decision-header .meta');
    if (meta) {
      var actions = document.createElement('p');
      actions.className = 'decision-actions';
      actions.appendChild(button('Copy link', 'Copy the link to this decision', page));
      meta.parentNode.insertBefore(actions, meta.nextSibling);
    }
    Array.prototype.slice.call(article.querySelectorAll('.decision-body li[id^="follow-up-"]')).forEach(function (item) {
      var state = item.querySelector('.follow-up-state');
      var b = button('Copy link', 'Copy the link to follow-up ' + item.id.slice(10), page + '#' + item.id);
      if (state) { state.parentNode.insertBefore(b, state.nextSibling); } else { item.appendChild(b); }
      b.insertAdjacentText('beforebegin', ' ');
    });

    // On a narrow screen the table of contents starts folded.
    var toc = article.querySelector('.toc details');
    if (toc && window.matchMedia && window.matchMedia('(max-width: 999px)').matches) { toc.open = false; }
  }
}());
