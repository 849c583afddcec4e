/* The facilitator's console (and, for others, the presenter view): the run of show, the
   current activity's figures, the brainstorm's ideas and tallies by tag, live; the controls.
   Needs live.js and activities.js. */
window.AtelierLive.livePage(function (page) {
  'use strict';
  var AL = window.AtelierLive, room = page.room, t = page.t, show = page.show, setText = AL.setText, make = AL.make;
  var facilitator = page.attr('facilitator') === 'true', rank = {}, chart = $('chart'), status = $('controls-status'), started = false;
  (AL.readJSON('suggested-tags') || []).forEach(function (tag, i) { rank[String(tag).toLowerCase()] = i + 1; });
  function $(id) { return document.getElementById(id); }
  function failed(e) { show(status, e.message || t('error')); }
  function stat(id, key, n, visible) {
    $(id).hidden = !visible;
    if (visible) setText($(id), t(key, { n: n }));
  }

  /* A public screen: blind voting keeps tallies off it until the results, whoever is logged in. */
  function showVotes() { return room.rule(room.phase) && /^(voting|results|closed)$/.test(room.phase); }

  /* An idea with several tags appears in each tag's group; untagged ideas in "other", last. */
  function groups(ideas) {
    var map = {}, out = [];
    ideas.forEach(function (idea) {
      var seen = {};
      (idea.tags.length ? idea.tags : ['']).forEach(function (tag) {
        var key = String(tag).toLowerCase();
        if (seen[key]) return;
        seen[key] = 1;
        if (!map[key]) out.push(map[key] = { key: key, name: tag || t('other'), ideas: [] });
        map[key].ideas.push(idea);
      });
    });
    return out.sort(function (a, b) {
      if (!a.key || !b.key) return !a.key - !b.key;
      return (rank[a.key] || 1e6) - (rank[b.key] || 1e6) || a.name.localeCompare(b.name);
    });
  }

  var PHASES = { brainstorm: /^(draft|ideas|voting|results|closed)$/, other: /^(draft|open|results|closed)$/ };
  function renderRunOfShow() {
    var a = room.activity, kind = a ? a.kind : 'brainstorm', list = $('run-of-show'), buttons, i;
    page.root.setAttribute('data-kind', kind);
    window.AtelierActivities.render($('activity'), room, { mode: facilitator ? 'console' : 'screen', t: t, show: show });
    buttons = document.querySelectorAll('.phase-btn');
    for (i = 0; i < buttons.length; i++) {
      buttons[i].hidden = !(PHASES[kind] || PHASES.other).test(buttons[i].getAttribute('data-phase'));
    }
    if (!list) return;
    AL.reconcile(list, room.activities, function (x) { return x.id; }, function (x) {
      var li = make('li'), b = li.appendChild(make('button', 'activity-btn'));
      b.type = 'button';
      b.setAttribute('data-activity', x.id);
      b.appendChild(make('span', 'activity-title'));
      b.appendChild(document.createTextNode(' '));
      b.appendChild(make('span', 'activity-meta'));
      return li;
    }, function (li, x) {
      var b = li.firstChild;
      setText(b.firstChild, x.title);
      setText(b.lastChild, t('activity-meta', { kind: t('kind-' + x.kind), phase: t('phase-' + x.phase) }));
      b.setAttribute('aria-pressed', String(!!a && a.id === x.id));
    });
  }

  function render() {
    renderRunOfShow();
    var votes = showVotes(), ideas = room.list(votes ? 'votes' : 'new'), max = 0, buttons, i;
    page.root.setAttribute('data-show-votes', String(votes));
    stat('online-count', 'online', room.online, room.online !== null);
    stat('ideas-total', 'ideas-count', ideas.length, true);
    stat('with-dots', 'with-dots', room.withDots, room.withDots !== null && room.phase === 'voting');

    ideas.forEach(function (idea) { max = Math.max(max, idea.votes || 0); });
    AL.reconcile(chart, groups(ideas), function (g) { return 'g' + g.key; }, createGroup, function (el, g) {
      setText(el.firstChild, g.name);
      AL.reconcile(el.lastChild, g.ideas, function (idea) { return idea.key; }, createRow, function (row, idea) {
        updateRow(row, idea, max);
      });
    });
    $('chart-empty').hidden = ideas.length > 0;
    buttons = document.querySelectorAll('.phase-btn');
    for (i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute('aria-pressed', String(buttons[i].getAttribute('data-phase') === room.phase));
    }
    started = true;
  }

  function createGroup() {
    var el = make('section', 'chart-group');
    el.appendChild(make('h3', 'chart-group-title'));
    el.appendChild(make('ol', 'bars'));
    return el;
  }

  function createRow() {
    var li = make('li', started ? 'bar-row is-new' : 'bar-row'), p = li._p = {
      label: make('span', 'bar-label'), track: make('span', 'bar-track'), fill: make('span', 'bar-fill'),
      value: make('span', 'bar-value'), sr: make('span', 'visually-hidden'), num: make('span')
    };
    p.track.setAttribute('aria-hidden', 'true');
    p.num.setAttribute('aria-hidden', 'true');
    p.track.appendChild(p.fill);
    p.value.appendChild(p.sr);
    p.value.appendChild(p.num);
    li.appendChild(p.label);
    li.appendChild(p.track);
    li.appendChild(p.value);
    p.split = li.appendChild(make('span', 'bar-split'));
    if (facilitator) {
      p.hide = li.appendChild(make('button', 'hide-idea button-quiet', t('hide')));
      p.hide.type = 'button';
      p.hide.setAttribute('data-action', 'hide');
      p.merge = li.appendChild(make('button', 'merge-idea button-quiet', t('merge')));
      p.merge.type = 'button';
      p.merge.setAttribute('data-action', 'merge');
    }
    li.addEventListener('animationend', function () { li.className = 'bar-row'; });
    return li;
  }

  function updateRow(li, idea, max) {
    var p = li._p, v = idea.votes || 0;
    li.setAttribute('data-idea-id', idea.key);
    li.setAttribute('data-votes', v);
    if (p.label.textContent !== idea.text) {
      p.label.textContent = idea.text;
      if (p.hide) p.hide.setAttribute('aria-label', t('hide-label', { idea: idea.text.slice(0, 80) }));
    }
    if (p.merge) {
      var label = !mergeSource ? t('merge') : (mergeSource.key === idea.key ? t('merge-cancel') : t('merge-here'));
      setText(p.merge, label);
      p.merge.setAttribute('aria-pressed', mergeSource && mergeSource.key === idea.key ? 'true' : 'false');
    }
    setText(p.sr, t('votes', { n: v }));
    setText(p.num, v);
    /* Dots typed in by helpers or counted on paper are part of the total; say how many. */
    var ch = room.channels || {}, proxy = (ch.proxy || {})[idea.key] || 0, paper = (ch.paper || {})[idea.key] || 0;
    li.setAttribute('data-paper', paper);
    li.setAttribute('data-proxy', proxy);
    p.split.hidden = !(proxy || paper);
    if (proxy || paper) setText(p.split, t('split', { phone: Math.max(0, v - proxy - paper), proxy: proxy, paper: paper }));
    p.fill.style.width = (max ? 100 * v / max : 0) + '%'; /* CSSOM: allowed by the CSP */
  }

  /* Facilitator: merge a duplicate: "Merge" on the duplicate, then "Merge here" on the idea to keep. */
  var mergeSource = null;
  chart.addEventListener('click', function (ev) {
    var btn = ev.target.closest && ev.target.closest('button[data-action="merge"]'), li = btn && btn.closest('li');
    var idea = li && room.ideas[li.getAttribute('data-key')];
    if (!idea) return;
    if (!mergeSource || mergeSource.key === idea.key) {
      mergeSource = mergeSource ? null : idea;
      show(status, mergeSource ? t('merge-choose') : '');
      page.schedule();
      return;
    }
    var duplicate = mergeSource;
    mergeSource = null;
    page.live.send('idea.merge', { idea: duplicate.id, into: idea.id }).then(function () {
      delete room.ideas[duplicate.key];
      page.schedule();
      show(status, t('merged-ok'));
    }, function (err) { page.schedule(); failed(err); });
  });

  /* Facilitator: hide an idea with two presses ("Hide", then "Confirm: hide" within 5 s). */
  function disarm(btn) {
    clearTimeout(btn._armed);
    btn._armed = null;
    setText(btn, t('hide'));
    btn.className = 'hide-idea button-quiet';
  }
  chart.addEventListener('click', function (ev) {
    var btn = ev.target.closest && ev.target.closest('button[data-action="hide"]'), li = btn && btn.closest('li');
    var idea = li && room.ideas[li.getAttribute('data-key')];
    if (!idea) return;
    if (!btn._armed) {
      btn._armed = setTimeout(function () { disarm(btn); }, 5000);
      setText(btn, t('hide-confirm'));
      btn.className = 'hide-idea button-quiet is-armed';
      return;
    }
    disarm(btn);
    page.live.send('idea.hide', { idea: idea.id }).then(function () {
      delete room.ideas[idea.key];
      page.schedule();
      show(status, t('hidden-ok'));
    }, failed);
  });

  if (facilitator) {
    $('facilitator-controls').addEventListener('click', function (ev) {
      var btn = ev.target.closest && ev.target.closest('.phase-btn'), go = ev.target.closest && ev.target.closest('.activity-btn');
      if (btn) page.live.send('phase.set', { phase: btn.getAttribute('data-phase') }).then(null, failed);
      if (go) {
        page.live.send('activity.set', { activity: +go.getAttribute('data-activity') }).then(function () {
          show(status, t('moved', { title: go.firstChild.textContent }));
        }, failed);
      }
    });
    $('activity').addEventListener('click', function (ev) {
      var b = ev.target.closest && ev.target.closest('.cloud-hide');
      if (!b || !room.activity) return;
      page.live.send('words.hide', { activity: room.activity.id, text: b.getAttribute('data-word') }).then(function () {
        show(status, t('word-hidden'));
      }, failed);
    });
    $('timer-form').addEventListener('submit', function (ev) {
      var input = $('timer-minutes'), seconds = Math.round(parseFloat(input.value.replace(',', '.')) * 60);
      ev.preventDefault();
      if (!(seconds > 0)) { show(status, t('timer-invalid')); return input.focus(); }
      page.live.send('timer.start', { seconds: seconds }).then(function () { show(status, t('timer-started')); }, failed);
    });
    $('timer-stop').addEventListener('click', function () {
      page.live.send('timer.stop', {}).then(function () { show(status, t('timer-stopped')); }, failed);
    });
    $('moderate-toggle').addEventListener('change', function (ev) {
      page.root.className = page.root.className.replace(/ is-moderating/g, '') + (ev.target.checked ? ' is-moderating' : '');
    });
  }

  var full = $('fullscreen-toggle'), html = document.documentElement;
  if (full && html.requestFullscreen) {
    full.hidden = false;
    full.addEventListener('click', function () {
      var p = document.fullscreenElement ? document.exitFullscreen() : html.requestFullscreen();
      if (p && p.then) p.then(null, function () {});
    });
    document.addEventListener('fullscreenchange', function () {
      full.setAttribute('aria-pressed', String(!!document.fullscreenElement));
    });
  }

  return { render: render, votesShown: showVotes, error: failed };
});
