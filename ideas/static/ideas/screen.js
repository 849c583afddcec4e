/* The wall screen: the current activity full-screen, readable from the back of a hall. A
   brainstorm shows each idea once (newest first while ideas come in; ranked by dots once
   they are shown, a leaderboard at the results); one run by table, in a column per table
   until its results. Beside it, the facilitators' themes with their ideas' dots added up
   (while the dots are shown). No controls. Needs live.js, activities.js. */
window.AtelierLive.livePage(function (page) {
  'use strict';
  var AL = window.AtelierLive, room = page.room, t = page.t, setText = AL.setText, make = AL.make;
  var board = document.getElementById('board-list'), tables = document.getElementById('board-tables'), TOP = 10;
  function $(id) { return document.getElementById(id); }

  function votesShown() { return room.talliesVisible && /^(voting|results|closed)$/.test(room.phase); }

  function createIdea() {
    var li = make('li', 'screen-idea'), p = li._p = {
      text: make('span', 'screen-idea-text'), rank: make('span', 'screen-rank'), body: make('span'), track: make('span', 'bar-track'), fill: make('span', 'bar-fill'), n: make('span', 'screen-idea-votes')
    };
    p.track.setAttribute('aria-hidden', 'true');
    p.track.appendChild(p.fill);
    p.text.appendChild(p.rank);
    p.text.appendChild(p.body);
    li.appendChild(p.text);
    li.appendChild(p.track);
    li.appendChild(p.n);
    return li;
  }

  function createColumn() {
    var el = make('section', 'screen-table');
    el.appendChild(make('h3', 'screen-table-name'));
    el.appendChild(make('p', 'empty', t('no-ideas')));
    el.appendChild(make('ol', 'screen-ideas is-column'));
    return el;
  }

  function render() {
    var a = room.activity, kind = a ? a.kind : 'brainstorm', votes = votesShown();
    page.root.setAttribute('data-kind', kind);
    if (a) setText($('live-title'), a.title);
    $('screen-prompt').hidden = !(a && a.prompt);
    if (a && a.prompt) setText($('screen-prompt'), a.prompt);
    $('online-count').hidden = room.online === null;
    if (room.online !== null) setText($('online-count'), t('online', { n: room.online }));
    window.AtelierActivities.render($('activity'), room, { mode: 'screen', t: t, show: page.show });
    if (kind !== 'brainstorm') return;
    var ideas = room.list(votes ? 'votes' : 'new'), leaderboard = votes && /^(results|closed)$/.test(room.phase), max = 0;
    var place = {}, columns = room.columns();
    if (leaderboard) ideas = ideas.slice(0, TOP);
    ideas.forEach(function (i, n) { place[i.key] = n + 1; });
    ideas.forEach(function (i) { max = Math.max(max, i.votes || 0); });
    page.root.setAttribute('data-show-votes', String(votes));
    $('board-hidden').hidden = room.talliesVisible || !/^(voting|results|closed)$/.test(room.phase);
    $('board-empty').hidden = columns || ideas.length > 0; /* each table says it has none */
    board.className = leaderboard ? 'screen-ideas is-leaderboard' : 'screen-ideas';

    function key(i) { return i.key; }
    function updateIdea(li, idea) {
      var v = idea.votes || 0;
      setText(li._p.rank, leaderboard ? place[idea.key] + '. ' : '');
      setText(li._p.body, idea.text);
      li._p.track.hidden = li._p.n.hidden = !votes;
      setText(li._p.n, t('votes', { n: v }));
      li._p.fill.style.width = (max ? 100 * v / max : 0) + '%'; /* CSSOM: allowed by the CSP */
    }
    /* One list or the columns; the other is emptied, so each idea is on the wall once. */
    board.hidden = columns;
    tables.hidden = !columns;
    AL.reconcile(board, columns ? [] : ideas, key, createIdea, updateIdea);
    AL.reconcile(tables, columns ? room.byTables(ideas, t('no-table')) : [], function (c) { return c.key; }, createColumn, function (el, c) {
      setText(el.firstChild, c.name);
      el.firstChild.nextSibling.hidden = c.ideas.length > 0;
      AL.reconcile(el.lastChild, c.ideas, key, createIdea, updateIdea);
    });
    renderThemes(votes);
  }

  /* The themes, most voted first while the dots are shown (blind voting: titles only). */
  function renderThemes(votes) {
    var max = 0, list = room.themes.map(function (x, n) {
      var count = 0, sum = 0;
      x.ideas.forEach(function (id) { if (room.ideas[id]) { count++; sum += room.ideas[id].votes || 0; } });
      max = Math.max(max, sum);
      return { id: x.id, title: x.title, count: count, votes: sum, n: n };
    });
    if (votes) list.sort(function (a, b) { return b.votes - a.votes || a.n - b.n; });
    $('screen-themes').hidden = !list.length;
    $('screen-brainstorm').className = 'screen-brainstorm brainstorm-only' + (list.length ? ' has-themes' : '');
    AL.reconcile($('screen-theme-list'), list, function (x) { return x.id; }, function () {
      var li = make('li', 'screen-theme'), p = li._p = {
        title: make('span', 'screen-theme-title'), track: make('span', 'bar-track'), fill: make('span', 'bar-fill'), n: make('span', 'screen-theme-votes')
      };
      p.track.setAttribute('aria-hidden', 'true');
      p.track.appendChild(p.fill);
      li.appendChild(p.title);
      li.appendChild(p.track);
      li.appendChild(p.n);
      return li;
    }, function (li, x) {
      setText(li._p.title, x.title);
      li._p.track.hidden = !votes;
      setText(li._p.n, votes ? t('votes', { n: x.votes }) : t('theme-ideas', { n: x.count }));
      li._p.fill.style.width = (max ? 100 * x.votes / max : 0) + '%'; /* CSSOM: allowed by the CSP */
    });
  }

  return { render: render, votesShown: votesShown, error: function () {} };
});
