/* The facilitator's console (and, for others, the presenter view): the run of show, the
   current activity's figures, the brainstorm's ideas and tallies by tag, live; the controls
   and the themes (facilitators group ideas into themes; a theme adds up its ideas' dots).
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
    /* A brainstorm run by table: a column per table (each idea once) instead of the topics. */
    var columns = room.columns();
    page.root.setAttribute('data-show-votes', String(votes));
    stat('online-count', 'online', room.online, room.online !== null);
    stat('ideas-total', 'ideas-count', ideas.length, true);
    stat('with-dots', 'with-dots', room.withDots, room.withDots !== null && room.phase === 'voting');

    ideas.forEach(function (idea) { max = Math.max(max, idea.votes || 0); });
    if (facilitator) renderThemes(votes);
    chart.className = columns ? 'chart is-tables' : 'chart';
    setText($('chart-heading'), t(columns ? 'by-table' : 'by-topic'));
    AL.reconcile(chart, columns ? room.byTables(ideas, t('no-table')) : groups(ideas), function (g) {
      return columns ? g.key : 'g' + g.key;
    }, createGroup, function (el, g) {
      setText(el.firstChild, g.name);
      el.firstChild.nextSibling.hidden = g.ideas.length > 0;
      AL.reconcile(el.lastChild, g.ideas, function (idea) { return idea.key; }, createRow, function (row, idea) {
        updateRow(row, idea, max);
      });
    });
    $('chart-empty').hidden = columns || ideas.length > 0; /* each table says it has none */
    buttons = document.querySelectorAll('.phase-btn');
    for (i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute('aria-pressed', String(buttons[i].getAttribute('data-phase') === room.phase));
    }
    started = true;
  }

  function createGroup() {
    var el = make('section', 'chart-group');
    el.appendChild(make('h3', 'chart-group-title'));
    el.appendChild(make('p', 'empty chart-group-empty', t('no-ideas')));
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
      /* The keyboard's way into a theme (dragging the row onto one is the mouse's). */
      p.pick = li.appendChild(make('label', 'theme-pick'));
      p.pick.appendChild(make('span', 'theme-pick-label', t('theme')));
      p.select = p.pick.appendChild(make('select', 'theme-select'));
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
    if (p.select) updatePick(li, p, idea);
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

  /* Themes (facilitators): each with its ideas and their dots added up (most voted first
     while the dots are shown); create, rename (inline), dissolve (two presses), suggest. */
  var themeList = $('theme-list'), pendingTheme = {}, themeOptions = null, dragged = null;
  function sayTheme(msg) { show($('themes-status'), msg); }
  function themeFailed(e) { sayTheme(e.message || t('error')); }
  function clip(text) { return text.length > 80 ? text.slice(0, 79) + '\u2026' : text; }
  function themeById(id) {
    for (var i = 0; i < room.themes.length; i++) if (String(room.themes[i].id) === String(id)) return room.themes[i];
    return null;
  }
  function byVotes(a, b) { return (b.votes || 0) - (a.votes || 0) || a.n - b.n; }

  function renderThemes(votes) {
    var max = 0, list = room.themes.map(function (x, n) {
      var ideas = [], sum = 0;
      x.ideas.forEach(function (id) {
        var idea = room.ideas[id];
        if (idea) { ideas.push(idea); sum += idea.votes || 0; }
      });
      if (votes) ideas.sort(byVotes);
      max = Math.max(max, sum);
      return { id: x.id, title: x.title, ideas: ideas, votes: sum, n: n };
    });
    if (votes) list.sort(byVotes);
    themeOptions = JSON.stringify(room.themes.map(function (x) { return [x.id, x.title]; }));
    $('themes-empty').hidden = list.length > 0;
    AL.reconcile(themeList, list, function (x) { return x.id; }, createTheme, function (li, x) {
      updateTheme(li, x, votes, max);
    });
  }

  function button(cls, text, action) {
    var b = make('button', cls, text);
    b.type = 'button';
    b.setAttribute('data-action', action);
    return b;
  }

  function createTheme() {
    var li = make('li', 'theme'), p = li._p = {
      title: make('h3', 'theme-title'), meta: make('p', 'theme-meta'), count: make('span'), votes: make('span', 'theme-votes'),
      track: make('span', 'bar-track'), fill: make('span', 'bar-fill'), form: make('form', 'theme-rename'),
      input: make('input'), actions: make('p', 'theme-actions'), empty: make('p', 'empty', t('theme-empty')),
      ideas: make('ol', 'theme-ideas')
    }, label = make('label');
    p.meta.appendChild(p.count);
    p.meta.appendChild(document.createTextNode(' '));
    p.meta.appendChild(p.votes);
    p.track.setAttribute('aria-hidden', 'true');
    p.track.appendChild(p.fill);
    label.appendChild(make('span', null, t('theme-title')));
    label.appendChild(p.input);
    p.input.type = 'text';
    p.input.maxLength = 80;
    p.input.autocomplete = 'off';
    p.form.hidden = true;
    p.form.noValidate = true;
    p.form.appendChild(label);
    p.form.appendChild(make('button', null, t('theme-save'))).type = 'submit';
    p.form.appendChild(button('button-quiet', t('theme-cancel'), 'theme-cancel'));
    p.rename = p.actions.appendChild(button('button-quiet', t('theme-rename'), 'theme-rename'));
    p.rename.setAttribute('aria-expanded', 'false');
    p.dissolve = p.actions.appendChild(button('theme-dissolve button-quiet', t('theme-dissolve'), 'theme-dissolve'));
    [p.title, p.meta, p.track, p.form, p.actions, p.empty, p.ideas].forEach(function (el) { li.appendChild(el); });
    return li;
  }

  function updateTheme(li, x, votes, max) {
    var p = li._p;
    li.setAttribute('data-theme', x.id);
    li.setAttribute('data-votes', x.votes);
    if (p.title.textContent !== x.title) {
      p.title.textContent = x.title;
      p.rename.setAttribute('aria-label', t('theme-rename-label', { title: x.title }));
      if (!p.dissolve._armed) p.dissolve.setAttribute('aria-label', t('theme-dissolve-label', { title: x.title }));
    }
    setText(p.count, t('theme-ideas', { n: x.ideas.length }));
    p.votes.hidden = p.track.hidden = !votes;
    setText(p.votes, t('votes', { n: x.votes }));
    p.fill.style.width = (max ? 100 * x.votes / max : 0) + '%'; /* CSSOM: allowed by the CSP */
    p.empty.hidden = x.ideas.length > 0;
    AL.reconcile(p.ideas, x.ideas, function (idea) { return idea.key; }, function () {
      var item = make('li', 'theme-idea');
      item.appendChild(make('span', 'theme-idea-text'));
      item.appendChild(document.createTextNode(' '));
      item.appendChild(make('span', 'theme-idea-votes'));
      return item;
    }, function (item, idea) {
      setText(item.firstChild, idea.text);
      item.lastChild.hidden = !votes;
      setText(item.lastChild, t('votes', { n: idea.votes || 0 }));
    });
  }

  /* An idea row's "Theme" select: no theme, then every theme in the order they were made. */
  function updatePick(li, p, idea) {
    var i, o, options;
    p.pick.hidden = !room.themes.length;
    li.draggable = room.themes.length > 0;
    if (p.select._options !== themeOptions) {
      p.select._options = themeOptions;
      p.select.textContent = '';
      options = [{ id: '', title: t('no-theme') }].concat(room.themes);
      for (i = 0; i < options.length; i++) {
        o = p.select.appendChild(make('option', null, options[i].title));
        o.value = String(options[i].id);
      }
    }
    if (p.select._idea !== idea.text) {
      p.select._idea = idea.text;
      p.select.setAttribute('aria-label', t('theme-of', { idea: clip(idea.text) }));
    }
    p.select.value = Object.prototype.hasOwnProperty.call(pendingTheme, idea.key) ? pendingTheme[idea.key]
      : idea.theme != null && themeById(idea.theme) ? String(idea.theme) : '';
  }

  /* Puts an idea in a theme (value: a theme's id, '' for none); the `themes` frame follows. */
  function assign(idea, value) {
    pendingTheme[idea.key] = value;
    function settled() { if (pendingTheme[idea.key] === value) delete pendingTheme[idea.key]; page.schedule(); }
    page.live.send('theme.assign', { idea: idea.id, theme: value ? +value : null }).then(function () {
      var x = value ? themeById(value) : null;
      settled();
      sayTheme(x ? t('theme-assigned', { idea: clip(idea.text), title: x.title }) : t('theme-unassigned', { idea: clip(idea.text) }));
    }, function (e) { settled(); themeFailed(e); });
  }

  function closeRename(p, focus) {
    p.form.hidden = true;
    p.actions.hidden = false;
    p.rename.setAttribute('aria-expanded', 'false');
    if (focus) p.rename.focus();
  }

  function disarmDissolve(p) {
    clearTimeout(p.dissolve._armed);
    p.dissolve._armed = null;
    setText(p.dissolve, t('theme-dissolve'));
    p.dissolve.className = 'theme-dissolve button-quiet';
    p.dissolve.setAttribute('aria-label', t('theme-dissolve-label', { title: p.title.textContent }));
  }

  if (facilitator) {
    $('theme-form').addEventListener('submit', function (ev) {
      var input = $('theme-new-title'), title = input.value.trim();
      ev.preventDefault();
      if (!title) { sayTheme(t('theme-title-missing')); return input.focus(); }
      page.live.send('theme.create', { title: title }).then(function () {
        input.value = '';
        sayTheme(t('theme-created', { title: title }));
      }, themeFailed);
    });

    themeList.addEventListener('click', function (ev) {
      var b = ev.target.closest && ev.target.closest('button[data-action]'), li = b && b.closest('li.theme'), p = li && li._p;
      if (!p) return;
      var id = +li.getAttribute('data-key'), title = p.title.textContent, action = b.getAttribute('data-action');
      if (action === 'theme-rename') {
        p.input.value = title;
        p.form.hidden = false;
        p.actions.hidden = true;
        p.rename.setAttribute('aria-expanded', 'true');
        p.input.focus();
        p.input.select();
      } else if (action === 'theme-cancel') {
        closeRename(p, true);
      } else if (action === 'theme-dissolve' && !p.dissolve._armed) {
        p.dissolve._armed = setTimeout(function () { disarmDissolve(p); }, 5000);
        setText(p.dissolve, t('theme-dissolve-confirm'));
        p.dissolve.setAttribute('aria-label', t('theme-dissolve-confirm-label', { title: title }));
        p.dissolve.className = 'theme-dissolve button-quiet is-armed';
        sayTheme(t('theme-dissolve-armed', { title: title }));
      } else if (action === 'theme-dissolve') {
        disarmDissolve(p);
        page.live.send('theme.dissolve', { theme: id }).then(function () {
          sayTheme(t('theme-dissolved', { title: title }));
          $('themes-heading').focus(); /* its row is going away */
        }, themeFailed);
      }
    });
    /* Enter saves the new title (the form's submit); Escape leaves it as it was. */
    themeList.addEventListener('submit', function (ev) {
      var li = ev.target.closest('li.theme'), p = li && li._p;
      ev.preventDefault();
      if (!p) return;
      var title = p.input.value.trim();
      if (!title) { sayTheme(t('theme-title-missing')); return p.input.focus(); }
      page.live.send('theme.rename', { theme: +li.getAttribute('data-key'), title: title }).then(function () {
        closeRename(p, p.form.contains(document.activeElement));
        sayTheme(t('theme-renamed', { title: title }));
      }, themeFailed);
    });
    themeList.addEventListener('keydown', function (ev) {
      var li = ev.key === 'Escape' && ev.target.closest('li.theme');
      if (li && li._p.form.contains(ev.target)) { ev.preventDefault(); closeRename(li._p, true); }
    });

    chart.addEventListener('change', function (ev) {
      var li = ev.target.classList.contains('theme-select') && ev.target.closest('li');
      var idea = li && room.ideas[li.getAttribute('data-key')];
      if (idea) assign(idea, ev.target.value);
    });

    /* Drag an idea's row onto a theme. */
    function dropMark(li) {
      var marked = themeList.querySelectorAll('.is-drop'), i;
      for (i = 0; i < marked.length; i++) if (marked[i] !== li) marked[i].classList.remove('is-drop');
      if (li) li.classList.add('is-drop');
    }
    chart.addEventListener('dragstart', function (ev) {
      var li = ev.target.closest && ev.target.closest('li.bar-row');
      dragged = li && room.ideas[li.getAttribute('data-key')] || null;
      if (!dragged) return;
      ev.dataTransfer.effectAllowed = 'move';
      ev.dataTransfer.setData('text/plain', dragged.text);
    });
    chart.addEventListener('dragend', function () { dragged = null; dropMark(null); });
    themeList.addEventListener('dragover', function (ev) {
      var li = dragged && ev.target.closest && ev.target.closest('li.theme');
      if (!li) return;
      ev.preventDefault();
      ev.dataTransfer.dropEffect = 'move';
      dropMark(li);
    });
    themeList.addEventListener('dragleave', function (ev) {
      var li = ev.target.closest && ev.target.closest('li.theme');
      if (li && !li.contains(ev.relatedTarget)) li.classList.remove('is-drop');
    });
    themeList.addEventListener('drop', function (ev) {
      var li = dragged && ev.target.closest && ev.target.closest('li.theme');
      if (!li) return;
      ev.preventDefault();
      dropMark(null);
      assign(dragged, li.getAttribute('data-key'));
      dragged = null;
    });

    /* Suggested themes: asked of the server on demand; each accepted (with its title as
       edited) becomes a theme with its ideas, or is ignored (left out of the list). */
    var suggestions = $('theme-suggestions'), suggestN = 0;
    function dropSuggestion(li) {
      var next = li.nextElementSibling || li.previousElementSibling;
      li.parentNode.removeChild(li);
      (next ? next.querySelector('input') : $('theme-suggest')).focus();
    }
    $('theme-suggest').addEventListener('click', function () {
      sayTheme(t('suggest-loading'));
      fetch('/api/workshops/' + encodeURIComponent(page.attr('code')) + '/theme-suggestions', {
        credentials: 'same-origin', headers: { Accept: 'application/json' }
      }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      }).then(function (list) {
        suggestions.textContent = '';
        list.forEach(function (s) {
          var li = suggestions.appendChild(make('li', 'suggestion')), id = 'theme-suggestion-' + ++suggestN;
          var label = li.appendChild(make('label', 'suggestion-label', t('theme-title'))), input = li.appendChild(make('input'));
          var ideas = li.appendChild(make('ul', 'suggestion-ideas')), actions = li.appendChild(make('p', 'theme-actions'));
          label.htmlFor = input.id = id;
          input.type = 'text';
          input.maxLength = 80;
          input.value = s.label;
          li._ideas = s.ideas;
          s.ideas.forEach(function (key) { if (room.ideas[key]) ideas.appendChild(make('li', null, room.ideas[key].text)); });
          actions.appendChild(button(null, t('suggest-accept'), 'accept')).setAttribute('aria-label', t('suggest-accept-label', { title: s.label }));
          actions.appendChild(button('button-quiet', t('suggest-ignore'), 'ignore')).setAttribute('aria-label', t('suggest-ignore-label', { title: s.label }));
        });
        sayTheme(list.length ? t('suggest-found', { n: list.length }) : t('suggest-none'));
      }).then(null, function () { sayTheme(t('suggest-failed')); });
    });
    suggestions.addEventListener('click', function (ev) {
      var b = ev.target.closest && ev.target.closest('button[data-action]'), li = b && b.closest('li.suggestion');
      if (!li) return;
      if (b.getAttribute('data-action') === 'ignore') { dropSuggestion(li); return sayTheme(t('suggest-ignored')); }
      var input = li.querySelector('input'), title = input.value.trim();
      if (!title) { sayTheme(t('theme-title-missing')); return input.focus(); }
      page.live.send('theme.create', { title: title, ideas: li._ideas }).then(function () {
        if (li.parentNode) dropSuggestion(li);
        sayTheme(t('theme-created', { title: title }));
      }, themeFailed);
    });

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
