/* The wall screen: the current activity full-screen, readable from the back of a hall. A
   brainstorm shows each idea once (newest first while ideas come in; ranked by dots once
   they are shown, a leaderboard at the results). No controls. Needs live.js, activities.js. */
window.AtelierLive.livePage(function (page) {
  'use strict';
  var AL = window.AtelierLive, room = page.room, t = page.t, setText = AL.setText, make = AL.make;
  var board = document.getElementById('board-list'), TOP = 10;
  function $(id) { return document.getElementById(id); }

  function votesShown() { return room.talliesVisible && /^(voting|results|closed)$/.test(room.phase); }

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
    var place = {};
    if (leaderboard) ideas = ideas.slice(0, TOP);
    ideas.forEach(function (i, n) { place[i.key] = n + 1; });
    ideas.forEach(function (i) { max = Math.max(max, i.votes || 0); });
    page.root.setAttribute('data-show-votes', String(votes));
    $('board-hidden').hidden = room.talliesVisible || !/^(voting|results|closed)$/.test(room.phase);
    $('board-empty').hidden = ideas.length > 0;
    board.className = leaderboard ? 'screen-ideas is-leaderboard' : 'screen-ideas';
    AL.reconcile(board, ideas, function (i) { return i.key; }, function () {
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
    }, function (li, idea) {
      var v = idea.votes || 0;
      setText(li._p.rank, leaderboard ? place[idea.key] + '. ' : '');
      setText(li._p.body, idea.text);
      li._p.track.hidden = li._p.n.hidden = !votes;
      setText(li._p.n, t('votes', { n: v }));
      li._p.fill.style.width = (max ? 100 * v / max : 0) + '%'; /* CSSOM: allowed by the CSP */
    });
  }

  return { render: render, votesShown: votesShown, error: function () {} };
});
