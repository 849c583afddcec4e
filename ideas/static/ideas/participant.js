/* The participant's phone screen: the current activity; in a brainstorm, post ideas and place
   dots. It takes over the screen the server drew (ideas/phone.py: the same elements, whose
   forms post without it) and sends over the socket instead. Needs live.js and activities.js. */
window.AtelierLive.livePage(function (page) {
  'use strict';
  var AL = window.AtelierLive, room = page.room, t = page.t, show = page.show, setText = AL.setText, make = AL.make;
  var TALLY = /^(voting|results|closed)$/, list = $('idea-list');
  var inflight = 0, lastTouch = 0, resortTimer, snapshots = 0;
  function $(id) { return document.getElementById(id); }

  var activity = $('activity'), past = $('past-activities');
  function send(type, payload) { return page.live.send(type, payload); }
  function ctx() { return { mode: 'phone', t: t, show: show, send: send }; }

  /* Earlier activities whose results are out: the phone can read them back. */
  function renderPast() {
    var done = room.activities.filter(function (a) {
      return (a.phase === 'results' || a.phase === 'closed') && (!room.activity || a.id !== room.activity.id);
    });
    past.hidden = !done.length;
    AL.reconcile(past.lastElementChild, done, function (a) { return a.id; }, function (a) {
      var li = make('li'), link = li.appendChild(make('a'));
      link.href = 'results/#activity-' + a.id;
      return li;
    }, function (li, a) { setText(li.firstChild, a.title); });
  }

  function render() {
    page.root.setAttribute('data-kind', room.activity ? room.activity.kind : 'brainstorm');
    window.AtelierActivities.render(activity, room, ctx());
    renderPast();
    var total = room.dotsTotal, left = Math.max(0, room.me.dots_left), dots = $('dots-left-dots'), i;
    page.root.setAttribute('data-joined', String(room.joined()));
    var table = room.me.table != null ? room.tableName(room.me.table) : '';
    $('my-table').hidden = !table;
    setText($('my-table-name'), table);
    setText($('dots-left-text'), t('dots-left', { left: left, total: total }));
    while (dots.children.length < total) dots.appendChild(make('span'));
    while (dots.children.length > total) dots.removeChild(dots.lastChild);
    for (i = 0; i < total; i++) dots.children[i].className = i < left ? 'dot is-free' : 'dot';

    var byVotes = room.talliesVisible && TALLY.test(room.phase), items = room.list(byVotes ? 'votes' : 'new');
    var since = Date.now() - lastTouch, pos = {};
    if (byVotes && since < 2500) {
      /* Someone is tapping: rows stay where they are (new ones on top); re-sort a little later. */
      for (i = 0; i < list.children.length; i++) pos[list.children[i].getAttribute('data-key')] = i + 1;
      items.sort(function (a, b) { return (pos[a.key] || 0) - (pos[b.key] || 0) || b.n - a.n; });
      clearTimeout(resortTimer);
      resortTimer = setTimeout(page.schedule, 2600 - since);
    }
    AL.reconcile(list, items, function (idea) { return idea.key; }, createIdea, updateIdea);
    $('ideas-empty').hidden = items.length > 0;
    setText($('ideas-count'), items.length ? '(' + items.length + ')' : '');
  }

  /* An idea as the server draws it too (includes/participant_idea.html): its dots are a form
     that posts without the script; with it, the socket sends them. */
  function createIdea(idea) {
    var li = make('li', 'idea'), p = li._p = {
      text: make('p', 'idea-text'), tags: make('ul', 'idea-tags'), tally: make('p', 'idea-tally'),
      vote: make('form', 'idea-vote when-voting when-joined'), minus: make('button', 'vote-btn vote-retract', '\u2212'),
      mine: make('span', 'my-dots'), plus: make('button', 'vote-btn vote-cast', '+'), err: make('p', 'idea-error')
    };
    var given = $('idea-form').querySelectorAll('input[name=csrfmiddlewaretoken], input[name=ref]'), id = make('input'), i;
    li.id = 'idea-' + idea.id;
    p.vote.method = 'post';
    for (i = 0; i < given.length; i++) p.vote.appendChild(given[i].cloneNode());
    id.type = 'hidden';
    id.name = 'idea';
    id.value = idea.id;
    p.vote.appendChild(id);
    p.minus.name = p.plus.name = 'action';
    p.minus.value = 'vote.retract';
    p.plus.value = 'vote.cast';
    p.minus.setAttribute('data-action', 'retract');
    p.plus.setAttribute('data-action', 'cast');
    p.tags.setAttribute('aria-label', t('tags'));
    p.err.setAttribute('role', 'status');
    p.err.setAttribute('aria-live', 'polite');
    p.vote.appendChild(p.minus);
    p.vote.appendChild(p.mine);
    p.vote.appendChild(p.plus);
    ['text', 'tags', 'tally', 'vote', 'err'].forEach(function (k) { li.appendChild(p[k]); });
    return li;
  }

  /* An idea the server drew: its parts, as createIdea keeps them. */
  function adopt(li) {
    var p = li._p = {}, parts = { text: '.idea-text', tags: '.idea-tags', tally: '.idea-tally', vote: '.idea-vote',
      minus: '.vote-retract', mine: '.my-dots', plus: '.vote-cast', err: '.idea-error' }, k;
    for (k in parts) p[k] = li.querySelector(parts[k]);
    p.tagKey = [].map.call(p.tags.children, function (tag) { return tag.textContent; }).join('\n');
    return p;
  }

  function updateIdea(li, idea) {
    var p = li._p || adopt(li), mine = room.me.votes[idea.key] || 0, tagKey = idea.tags.join('\n'), short = idea.text;
    li.setAttribute('data-idea-id', idea.key);
    li.setAttribute('data-my-dots', mine);
    if (typeof idea.votes === 'number') li.setAttribute('data-votes', idea.votes); else li.removeAttribute('data-votes');
    if (p.text.textContent !== idea.text) {
      p.text.textContent = idea.text;
      if (short.length > 80) short = short.slice(0, 78) + '\u2026';
      p.plus.setAttribute('aria-label', t('add-dot', { idea: short }));
      p.minus.setAttribute('aria-label', t('remove-dot', { idea: short }));
    }
    if (p.tagKey !== tagKey) {
      p.tagKey = tagKey;
      p.tags.textContent = '';
      idea.tags.forEach(function (tag) { p.tags.appendChild(make('li', 'tag', tag)); });
      p.tags.hidden = !idea.tags.length;
    }
    p.tally.hidden = !(typeof idea.votes === 'number' && TALLY.test(room.phase));
    setText(p.tally, t('votes', { n: idea.votes }));
    setText(p.mine, t('my-dots', { n: mine }));
    p.mine.className = mine ? 'my-dots has-dots' : 'my-dots';
    p.plus.setAttribute('aria-disabled', String(room.me.dots_left <= 0 || (room.cap > 0 && mine >= room.cap)));
    p.minus.setAttribute('aria-disabled', String(mine <= 0));
  }

  function fail(el, e) {
    if (e.code === 'not_joined') { room.me.participant = null; page.schedule(); }
    /* No answer in time: the write may or may not be stored; the snapshot says which. */
    if (e.code === 'timeout') page.live.sync();
    show(el, e.message || t('error'));
  }

  /* Optimistic: the dot moves at once; the ack confirms, an error puts it back. */
  function vote(idea, cast, err) {
    var key = idea.key, mine = room.me.votes[key] || 0, d = cast ? 1 : -1, gen = room.gen;
    if (!room.joined() || room.phase !== 'voting') return;
    err.textContent = '';
    if (cast && room.me.dots_left <= 0) return show(err, t('no-dots'));
    if (cast && room.cap && mine >= room.cap) return show(err, t('cap-reached'));
    if (!cast && !mine) return;
    room.me.votes[key] = mine + d;
    room.me.dots_left -= d;
    inflight++;
    page.schedule();
    page.live.send(cast ? 'vote.cast' : 'vote.retract', { idea: idea.id }).then(function (ack) {
      inflight--;
      if (gen !== room.gen) return page.live.sync(); /* a snapshot came in between */
      if (!inflight && typeof ack.dots_left === 'number') { room.me.dots_left = ack.dots_left; page.schedule(); }
    }, function (e) {
      inflight--;
      if (gen === room.gen) {
        room.me.votes[key] = Math.max(0, (room.me.votes[key] || 0) - d);
        room.me.dots_left += d;
        page.schedule();
      }
      fail(err, e);
    });
  }

  list.addEventListener('click', function (ev) {
    var btn = ev.target.closest && ev.target.closest('button[data-action]'), li = btn && btn.closest('li');
    var idea = li && room.ideas[li.getAttribute('data-key')];
    if (btn) ev.preventDefault(); /* the socket sends it, not the form */
    if (idea) vote(idea, btn.getAttribute('data-action') === 'cast', li._p.err);
  });
  ['touchstart', 'mousedown', 'keydown', 'focusin'].forEach(function (name) {
    list.addEventListener(name, function () { lastTouch = Date.now(); }, true);
  });

  /* Posting an idea. */
  var form = $('idea-form'), text = $('idea-text'), counter = $('idea-count'), status = $('idea-status');
  var submit = $('idea-submit'), chips = form.querySelectorAll('input[name=tags]'), posting = false, band = 3;
  var MAX = +text.getAttribute('maxlength') || 500;

  function count() {
    var left = MAX - text.value.length, now = left <= 0 ? 0 : left <= 10 ? 1 : left <= 50 ? 2 : 3;
    setText(counter, t('chars-left', { n: left }));
    counter.className = now < 3 ? 'counter is-low' : 'counter';
    if (now < band) page.say(t('chars-left', { n: left })); /* only when crossing 50, 10, 0 */
    band = now;
  }
  function done() { posting = false; submit.removeAttribute('aria-disabled'); }

  count();
  text.addEventListener('input', count);
  form.addEventListener('submit', function (ev) {
    var body = text.value.trim(), tags = [], i;
    ev.preventDefault();
    if (posting) return;
    if (!body) { show(status, t('idea-empty')); return text.focus(); }
    for (i = 0; i < chips.length; i++) if (chips[i].checked) tags.push(chips[i].value);
    posting = true;
    submit.setAttribute('aria-disabled', 'true');
    setText(status, t('sending'));
    /* For the brainstorm it was written for, should it wait offline while the room moves on. */
    page.live.send('idea.post', room.board != null ? { text: body, tags: tags, activity: room.board } : { text: body, tags: tags }).then(function (ack) {
      done();
      if (ack.idea) { room.add(ack.idea); page.schedule(); }
      text.value = '';
      count();
      for (i = 0; i < chips.length; i++) chips[i].checked = false;
      show(status, t('idea-posted'));
    }, function (e) { done(); fail(status, e); });
  });

  return {
    render: render,
    votesShown: function () { return room.talliesVisible; },
    error: function (e) { page.say(e.message || t('error')); },
    frame: function (what) {
      /* A facilitator moved me: say where (the snapshot that follows brings that table's ideas). */
      if (what === 'moved') page.say(room.me.table != null ? t('your-table') + ': ' + room.tableName(room.me.table) : t('no-table'));
      /* Not the first: what the server said after a form (in these lines) stays until then. */
      if (what === 'snapshot' && snapshots++) [].forEach.call(list.querySelectorAll('.idea-error'), function (el) { el.textContent = ''; });
    }
  };
});
