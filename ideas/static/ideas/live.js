/* Atelier live client: one WebSocket per page that reconnects, checks `seq` and keeps the
   room's state (protocol: docs, "Live protocol"). Plain ES5 + Promise, no dependencies. */
(function (window, document) {
  'use strict';
  var BASE = 500, CAP = 15000, ACK_TIMEOUT = 20000, FIGURES = ['counts', 'distribution', 'words'];

  function byId(id) { return document.getElementById(id); }
  function has(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }

  function readJSON(id) {
    try { return JSON.parse(byId(id).textContent); } catch (e) { return null; }
  }

  /* Translated strings: data-* attributes of #live-strings; "{name}" placeholders. */
  function readStrings() {
    var el = byId('live-strings'), s = {}, i, a;
    for (i = 0; el && i < el.attributes.length; i++) {
      a = el.attributes[i];
      if (a.name.indexOf('data-') === 0) s[a.name.slice(5)] = a.value;
    }
    return function (key, vals) {
      return (has(s, key) ? s[key] : key).replace(/\{(\w+)\}/g, function (m, k) { return vals && has(vals, k) ? vals[k] : m; });
    };
  }

  function setText(el, text) {
    text = String(text);
    if (el && el.textContent !== text) el.textContent = text;
  }

  function make(tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text != null) el.textContent = text;
    return el;
  }

  /* Keyed update of a container's children (data-key); a moved element keeps the focus. */
  function reconcile(parent, items, keyOf, create, update) {
    var old = {}, used = {}, kids = parent.children, i, el, k, cur = parent.firstElementChild;
    var focus = document.activeElement;
    if (!parent.contains(focus)) focus = null;
    for (i = 0; i < kids.length; i++) old[kids[i].getAttribute('data-key')] = kids[i];
    for (i = 0; i < items.length; i++) {
      k = String(keyOf(items[i]));
      el = old[k];
      if (!el) { el = create(items[i]); el.setAttribute('data-key', k); }
      used[k] = 1;
      update(el, items[i]);
      if (el === cur) cur = cur.nextElementSibling; else parent.insertBefore(el, cur);
    }
    for (k in old) if (!used[k]) parent.removeChild(old[k]);
    if (focus && document.activeElement !== focus && document.body.contains(focus)) focus.focus();
  }

  /* Server-rendered bars: [data-bar-value] inside [data-bar-scale], relative to the largest. */
  function sizeBars() {
    var scales = document.querySelectorAll('[data-bar-scale]'), i, j, bars, max, v;
    for (i = 0; i < scales.length; i++) {
      bars = scales[i].querySelectorAll('[data-bar-value]');
      for (max = 0, j = 0; j < bars.length; j++) max = Math.max(max, +bars[j].getAttribute('data-bar-value') || 0);
      for (j = 0; j < bars.length; j++) {
        v = +bars[j].getAttribute('data-bar-value') || 0;
        bars[j].style.width = (max ? 100 * v / max : 0) + '%'; /* CSSOM: allowed by the CSP */
      }
    }
  }

  /* A countdown: `wrap` is shown while a timer runs, `out` gets m:ss; onEnd at zero. */
  function Countdown(wrap, out, onEnd) {
    var end = null, handle;
    function tick() {
      clearTimeout(handle);
      if (end === null) return;
      var left = end - Date.now(), s = Math.max(0, Math.ceil(left / 1000)), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
      setText(out, (h ? h + ':' + (m < 10 ? '0' : '') : '') + m + ':' + (s % 60 < 10 ? '0' : '') + s % 60);
      if (left > 0) { handle = setTimeout(tick, left % 1000 || 1000); return; }
      end = null;
      wrap.className += ' is-over';
      onEnd();
    }
    return function set(iso) {
      end = iso ? Date.parse(String(iso).replace(/(\.\d{3})\d+/, '$1')) : NaN;
      if (isNaN(end) || end <= Date.now()) end = null; /* none, or ended before we looked */
      wrap.className = wrap.className.replace(/ is-over/g, '');
      wrap.hidden = end === null;
      tick();
    };
  }

  /* The room as this page knows it: snapshot, then frames. */
  function Room(initial, o) {
    this.blind = o.blind;
    this.phase = o.phase;
    this.dotsTotal = o.dotsTotal;
    this.cap = 0; /* most dots on one idea in the room's brainstorm; 0: no limit */
    this.timer = o.timer || null;
    this.ideas = {};
    this.n = this.gen = 0;
    this.me = { participant: null, dots_left: 0, votes: {}, table: null };
    /* The room's tables [{slug, name}]; byTable: its brainstorm shows each table its own ideas
       while it collects and votes (me.table: this person's table's slug, or null). */
    this.tables = [];
    this.byTable = false;
    this.themes = []; /* the room's brainstorm's themes [{id, title, ideas: [id…]}] */
    this.privately = ''; /* private writing while it collects ideas: '', 'table' or 'own' */
    this.online = this.withDots = null;
    /* The run of show: every activity, the current one's view (with its figures when shown)
       and this person's answers by activity id. */
    this.activities = [];
    this.activity = null;
    this.board = null;
    this.answers = {};
    this.talliesVisible = this.rule(this.phase);
    if (initial) this.snapshot(initial);
  }
  /* The room's brainstorm (whose ideas and dots the snapshot holds), as the server picks it:
     the current activity if a brainstorm, else the last brainstorm before it, else the first. */
  function boardOf(list, currentId) {
    var current = null, first = null, before = null, i, a;
    for (i = 0; i < list.length; i++) if (list[i].id === currentId) current = list[i];
    for (i = 0; i < list.length; i++) {
      a = list[i];
      if (a.kind !== 'brainstorm') continue;
      if (first === null) first = a.id;
      if (current && (a.position < current.position || (a.position === current.position && a.id <= current.id))) before = a.id;
    }
    return before !== null ? before : first;
  }
  /* An activity worded for this page's reader: its title and prompt in the page's language where
     the facilitator translated them (`translations`), its own otherwise; as the server's
     `in_language` does for the pages it draws. */
  var LANG = (document.documentElement.lang || '').toLowerCase();
  function worded(a) {
    var w = a && a.translations && a.translations[LANG];
    if (w && w.title) a.title = w.title;
    if (w && w.prompt) a.prompt = w.prompt;
    return a;
  }
  Room.prototype = {
    rule: function (phase) { return !this.blind || phase === 'results' || phase === 'closed'; },
    joined: function () { return this.me.participant != null; },
    snapshot: function (s) {
      var w = s.workshop || {}, me = s.me || {}, list = s.ideas || [], i, k;
      this.gen++;
      this.phase = w.phase || this.phase;
      this.title = w.title || this.title;
      if (w.dots_per_participant) this.dotsTotal = w.dots_per_participant;
      if ('max_dots_per_idea' in w) this.cap = w.max_dots_per_idea || 0; /* each brainstorm its own */
      if (typeof w.blind_voting === 'boolean') this.blind = w.blind_voting;
      this.byTable = w.by_table === true;
      this.privately = w.private || '';
      this.tables = s.tables || [];
      this.themes = s.themes || [];
      k = typeof s.tallies_visible === 'boolean' ? s.tallies_visible : w.tallies_visible;
      this.talliesVisible = typeof k === 'boolean' ? k : this.rule(this.phase);
      this.ideas = {};
      this.n = 0;
      this.channels = s.channels || {}; /* {proxy: {id: n}, paper: {id: n}}: part of `votes` */
      for (i = 0; i < list.length; i++) this.add(list[i]);
      this.me = { participant: me.participant, dots_left: me.dots_left || 0, votes: {}, table: me.table || null };
      for (k in me.votes || {}) if (has(me.votes, k)) this.me.votes[k] = me.votes[k];
      this.activities = (s.activities || []).map(worded);
      this.activity = s.activity ? worded(s.activity) : null;
      this.board = boardOf(this.activities, s.current_activity);
      this.answers = me.answers || {};
      if (typeof s.online === 'number') this.online = s.online;
      if (s.timer && 'ends_at' in s.timer) this.timer = s.timer.ends_at;
      else if ('timer_ends_at' in w) this.timer = w.timer_ends_at;
    },
    add: function (idea) {
      var key = String(idea.id), old = this.ideas[key];
      this.ideas[key] = {
        id: idea.id, key: key, text: String(idea.text || ''), tags: idea.tags || [], table: idea.table || null,
        theme: 'theme' in idea ? idea.theme : old ? old.theme : null,
        votes: typeof idea.votes === 'number' ? idea.votes : old ? old.votes : null,
        n: old ? old.n : ++this.n
      };
    },
    tally: function (m) {
      var v = m.votes || {}, k;
      if (typeof m.participants_with_dots === 'number') this.withDots = m.participants_with_dots;
      this.channels = m.channels || {};
      /* Absolute counts for the whole room: an idea missing from `votes` has none. */
      for (k in this.ideas) this.ideas[k].votes = m.hidden ? null : typeof v[k] === 'number' ? v[k] : 0;
      /* The current activity's figures; a frame naming it without them: hidden until revealed. */
      var a = this.activity;
      if (a && m.activity === a.id) FIGURES.forEach(function (f) { if (has(m, f)) a[f] = m[f]; else delete a[f]; });
    },
    /* The room moved to another activity, or the current one changed phase. True when the
       room's brainstorm changed with it: its ideas and this person's dots are another's then. */
    moved: function (view) {
      var i, board;
      this.activity = view;
      for (i = 0; i < this.activities.length; i++) {
        if (this.activities[i].id === view.id) this.activities[i].phase = view.phase;
      }
      board = boardOf(this.activities, view.id);
      if (board === this.board) return false;
      this.board = board;
      return true;
    },
    /* The run of show was rewritten (an activity added, edited, moved or deleted): the new
       list; the room's own activity keeps the phase its `phase` frames gave it. */
    listed: function (list) {
      this.activities = list;
      return this.activity ? this.moved(this.activity) : false;
    },
    phased: function (phase) {
      this.phase = phase;
      if (this.activity) { this.activity.phase = phase; this.moved(this.activity); }
    },
    /* Whether the room's brainstorm keeps this person's table apart: which of its ideas the
       phone may see changes with the brainstorm's phase (all of them at the results). */
    seated: function () { return this.byTable && this.me.table != null; },
    /* A table's name by its slug ('' for none, or one this page does not know yet). */
    tableName: function (slug) {
      for (var i = 0; i < this.tables.length; i++) if (this.tables[i].slug === slug) return this.tables[i].name;
      return '';
    },
    /* The board in columns, one per table: a brainstorm run by table, in a room with tables,
       before its results (which rank the whole room). */
    columns: function () { return this.byTable && this.tables.length > 0 && !/^(results|closed)$/.test(this.phase); },
    /* The ideas by table, in the room's order of tables, each idea once: [{key, slug, name,
       ideas}]; ideas at no table (or at a table this page does not know) in a last column
       named `none`, only if there are any. */
    byTables: function (ideas, none) {
      var out = [], at = {}, rest = [];
      this.tables.forEach(function (table) { out.push(at[table.slug] = { key: 't' + table.slug, slug: table.slug, name: table.name, ideas: [] }); });
      ideas.forEach(function (idea) { (idea.table != null && at[idea.table] ? at[idea.table].ideas : rest).push(idea); });
      if (rest.length) out.push({ key: 'n', slug: null, name: none, ideas: rest });
      return out;
    },
    /* "votes": most votes first (then oldest first); otherwise newest first. */
    list: function (mode) {
      var out = [], k;
      for (k in this.ideas) out.push(this.ideas[k]);
      return out.sort(mode === 'votes'
        ? function (a, b) { return (b.votes || 0) - (a.votes || 0) || a.n - b.n; }
        : function (a, b) { return b.n - a.n; });
    },
    /* Frame handlers for connect(); render(what) after each change. */
    handlers: function (render) {
      var r = this;
      return {
        snapshot: function (m) { r.snapshot(m); render('snapshot'); },
        'idea.posted': function (m) { if (m.idea) { r.add(m.idea); render('ideas'); } },
        'idea.hidden': function (m) {
          var key = String(m.idea && m.idea.id != null ? m.idea.id : m.idea), mine = r.me.votes[key] || 0;
          delete r.ideas[key];
          delete r.me.votes[key];
          r.me.dots_left += mine; /* a hidden idea's dots go back to their owners */
          render('ideas');
        },
        tally: function (m) { r.tally(m); render('tally'); },
        activity: function (m) {
          if (!m.activity) return;
          var another = r.moved(worded(m.activity)), v = m.activity;
          /* The room's brainstorm edited to run by table, or no longer: it shows other ideas. */
          if (v.kind === 'brainstorm' && v.id === r.board && typeof v.by_table === 'boolean' && v.by_table !== r.byTable) {
            r.byTable = v.by_table;
            if (r.me.table != null) another = true;
          }
          render('activity');
          return another ? 'sync' : undefined; /* the other brainstorm's ideas and budget */
        },
        activities: function (m) {
          if (!m.activities) return;
          var another = r.listed(m.activities.map(worded)); /* e.g. a brainstorm added before the current poll */
          render('activities');
          return another ? 'sync' : undefined;
        },
        phase: function (m) {
          r.phased(m.phase);
          r.talliesVisible = typeof m.tallies_visible === 'boolean' ? m.tallies_visible : r.rule(m.phase);
          render('phase');
          /* At a table of a brainstorm run by table: its phase decides which ideas this phone
             sees (its table's while it collects and votes, every table's at the results). */
          /* In private writing, opening the vote reveals every idea to everyone. */
          return (r.seated() || r.privately) && (!r.activity || r.activity.id === r.board) ? 'sync' : undefined;
        },
        /* An idea posted at another table of a table round: its seq alone, nothing to show. */
        'idea.elsewhere': function () {},
        /* Someone moved to another table; if it is me, my ideas and dots are another table's. */
        'participant.moved': function (m) {
          if (m.participant == null || m.participant !== r.me.participant) { render('people'); return; }
          r.me.table = m.table || null;
          render('moved');
          return 'sync';
        },
        tables: function (m) { if (m.tables) { r.tables = m.tables; render('tables'); } },
        /* Every theme of the workshop: keep the room's brainstorm's, and each idea's from them. */
        themes: function (m) {
          if (!m.themes) return;
          var first = null, k;
          r.activities.forEach(function (a) { if (first === null && a.kind === 'brainstorm') first = a.id; });
          r.themes = m.themes.filter(function (x) {
            return r.board == null || x.activity === r.board || (x.activity == null && r.board === first);
          });
          for (k in r.ideas) r.ideas[k].theme = null;
          r.themes.forEach(function (x) { x.ideas.forEach(function (id) { if (r.ideas[id]) r.ideas[id].theme = x.id; }); });
          render('themes');
        },
        timer: function (m) { r.timer = m.ends_at || null; render('timer'); },
        presence: function (m) { if (typeof m.online === 'number') { r.online = m.online; render('presence'); } }
      };
    }
  };

  /* The writes a phone may make offline. Given a key, connect() keeps them with their ref in
     localStorage until answered, so a reload (or a start from the service worker's copy of
     the page) sends them again, and the server applies each ref once (docs: "Retries"). */
  var KEPT = /^(idea\.post|vote\.(cast|retract)|poll\.answer|scale\.rate|words\.add)$/;
  function Kept(key) {
    function read() { try { return JSON.parse(localStorage.getItem(key)) || []; } catch (e) { return []; } }
    function write(list) {
      try { if (list.length) localStorage.setItem(key, JSON.stringify(list)); else localStorage.removeItem(key); } catch (e) { /* full or blocked: this load only */ }
    }
    return {
      list: read,
      add: function (ref, msg) { var l = read(); l.push({ ref: ref, msg: msg }); write(l); },
      drop: function (ref) { write(read().filter(function (x) { return x.ref !== ref; })); }
    };
  }

  /* Opens the socket and keeps it open. handlers: {snapshot, <frame type>, error}; keepKey:
     see Kept. Returns {send(type, payload) -> Promise(ack), sync()}. */
  function connect(path, handlers, t, keepKey) {
    var url = /^wss?:/.test(path) ? path : (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + path;
    var bar = byId('live-banner'), status = byId('live-status'), retryBtn = byId('live-retry');
    var ws = null, seq = null, attempt = 0, retryTimer, bannerTimer, closed = false, down = false;
    var syncAt = 0, hiddenAt = 0, refN = 0, pending = {}, resendDue = true, conn = 0, kept = keepKey ? Kept(keepKey) : null;
    /* Refs unique to this page load: the server applies a write once per ref, so a ref must
       never name two different messages (a reload starts counting again). */
    var refPrefix = Math.random().toString(36).slice(2, 10) + Date.now().toString(36) + '-';

    function call(name, msg) {
      if (typeof handlers[name] === 'function') {
        try { return handlers[name](msg); } catch (e) { if (window.console) console.error(e); }
      }
    }
    function banner(state, text) {
      bar.setAttribute('data-state', state);
      setText(status, text);
      retryBtn.hidden = state !== 'offline';
    }
    function isOpen() { return !!ws && ws.readyState === 1; }
    function offlineText() {
      var n = 0, k;
      for (k in pending) if (has(pending, k) && pending[k].kept) n++;
      return n ? t('offline-waiting', { n: n }) : t('offline');
    }
    function error(code, ref) { return { type: 'error', ref: ref, code: code, message: t(code) }; }

    function open() {
      clearTimeout(retryTimer);
      if (closed || ws) return;
      try { ws = new WebSocket(url); conn++; } catch (e) { ws = null; return retry(); }
      var sock = ws;
      sock.onmessage = function (ev) { if (ws === sock) receive(ev.data); };
      sock.onclose = function () { if (ws === sock) { ws = null; lost(); } };
      clearTimeout(bannerTimer); /* a slow first connection shows the banner too */
      bannerTimer = setTimeout(function () {
        if (!isOpen() && !closed) { down = true; banner('offline', offlineText()); }
      }, 1200);
    }
    function retry() {
      /* Capped exponential backoff with full jitter: uniform in [0, min(cap, base * 2^n)). */
      retryTimer = setTimeout(open, Math.random() * Math.min(CAP, BASE * Math.pow(2, attempt)));
      attempt = Math.min(attempt + 1, 15);
    }
    function lost() {
      /* Writes waiting for their ack stay pending: after the reconnect they are sent again
         with the same ref, and the server either applies them or, if the first copy was
         stored, answers its ack again (`replayed`). Their ack timeout keeps running, but a
         kept write's, which starts again when the write is sent again. */
      for (var k in pending) if (has(pending, k) && pending[k].kept) { clearTimeout(pending[k].timer); pending[k].timer = null; }
      seq = null;
      syncAt = 0;
      resendDue = true;
      if (!closed) { if (down) banner('offline', offlineText()); retry(); }
    }
    function drop() { var sock = ws; ws = null; if (sock) sock.close(); lost(); }
    function resend() {
      var n = 0, k;
      for (k in pending) {
        if (!has(pending, k) || pending[k].conn === conn) continue;
        /* Within the socket's burst of 30 messages (then 10 a second): the rest a bit later. */
        if (++n > 20) return setTimeout(function () { if (isOpen()) resend(); }, 2500);
        transmit(k, pending[k]);
      }
    }
    function transmit(ref, p) {
      p.conn = conn;
      ws.send(p.msg);
      if (!p.timer) p.timer = setTimeout(function () {
        if (pending[ref] !== p) return;
        p.timer = null;
        /* A kept write is never given up: no answer means a dead socket; a new one resends it. */
        if (p.kept) { if (p.conn === conn && ws) drop(); return; }
        delete pending[ref];
        p.reject(error('timeout', ref));
      }, ACK_TIMEOUT);
    }
    function sync() {
      if (!isOpen() || Date.now() - syncAt < 5000) return;
      syncAt = Date.now();
      ws.send('{"type":"sync"}');
    }

    function receive(data) {
      var m, p, k;
      try { m = JSON.parse(data); } catch (e) { return; }
      if (!m || typeof m.type !== 'string') return;
      if (m.type === 'ack' || m.type === 'error') {
        p = m.ref != null && has(pending, m.ref) && pending[m.ref];
        if (!p) return m.type === 'error' && call('error', m);
        clearTimeout(p.timer);
        p.timer = null;
        if (p.kept && /^(rate_limited|unavailable)$/.test(m.code)) { /* not refused, only not now */
          p.conn = null;
          return setTimeout(function () { if (isOpen()) resend(); }, 3000);
        }
        delete pending[m.ref];
        if (p.kept) { kept.drop(m.ref); if (down) banner('offline', offlineText()); }
        if (p.resolve) return m.type === 'ack' ? p.resolve(m) : p.reject(m);
        /* A write kept by an earlier load of the page: its answer goes to the page (offline.js),
           and once all are answered, the whole state (their dots, ideas, answers). */
        document.dispatchEvent(new CustomEvent('atelier:replayed', { detail: { answer: m, message: JSON.parse(p.msg) } }));
        for (k in pending) if (has(pending, k) && !pending[k].resolve) return;
        syncAt = 0;
        return sync();
      }
      if (m.type === 'snapshot') {
        seq = typeof m.seq === 'number' ? m.seq : null;
        syncAt = attempt = 0;
        clearTimeout(bannerTimer);
        if (down) {
          down = false;
          banner('back', t('back-online'));
          bannerTimer = setTimeout(function () { banner('online', ''); }, 4000);
        }
        if (resendDue) { resendDue = false; resend(); } /* the first snapshot after a reconnect */
      } else if (typeof m.seq === 'number') {
        if (seq !== null) {
          if (m.seq <= seq) return; /* already part of the snapshot we hold */
          if (m.seq > seq + 1) sync(); /* a frame was lost: ask for the whole state */
        }
        seq = m.seq;
      }
      if (call(m.type, m) === 'sync') { syncAt = 0; sync(); } /* a handler needs the whole state */
    }

    function send(type, payload) {
      return new Promise(function (resolve, reject) {
        var keep = !!kept && KEPT.test(type);
        if (!isOpen() && !keep) return reject(error('offline', null));
        var ref = refPrefix + ++refN, msg = { type: type, ref: ref }, k, p;
        for (k in payload) if (has(payload, k)) msg[k] = payload[k];
        msg = JSON.stringify(msg);
        p = pending[ref] = { resolve: resolve, reject: reject, msg: msg, kept: keep };
        if (keep) { kept.add(ref, msg); if (down) banner('offline', offlineText()); } /* sent when connected */
        if (isOpen()) transmit(ref, p);
      });
    }

    function now() { attempt = 0; open(); }
    retryBtn.addEventListener('click', now);
    window.addEventListener('online', now);
    /* The browser knows the network is gone: say so now rather than when the socket notices. */
    window.addEventListener('offline', function () {
      if (closed) return;
      down = true;
      if (ws) drop(); else banner('offline', offlineText());
    });
    document.addEventListener('visibilitychange', function () {
      if (document.hidden) { hiddenAt = Date.now(); return; }
      if (!ws) now(); else if (Date.now() - hiddenAt > 10000) sync(); /* a phone that slept */
    });
    window.addEventListener('pagehide', function () { closed = true; if (ws) ws.close(); });
    window.addEventListener('pageshow', function (ev) { if (ev.persisted) { closed = false; now(); } });
    /* Writes an earlier load of the page kept: sent after the first snapshot, like the rest. */
    if (kept) kept.list().forEach(function (x) { if (x && typeof x.msg === 'string' && !has(pending, x.ref)) pending[x.ref] = { msg: x.msg, kept: true }; });
    open();
    return { send: send, sync: sync };
  }

  /* What every live page shares: the room (from #initial-state and #live-root's data-*), the
     header (title, phase, timer), announcements, one render per animation frame, the socket.
     setup(page) returns {render(), votesShown(), error(e), frame(what)?}. */
  function livePage(setup) {
    var root = byId('live-root'), t = readStrings(), queued = false, shownTimer, tallyWait;
    function attr(name) { return root.getAttribute('data-' + name); }
    var room = new Room(readJSON('initial-state'), {
      blind: attr('blind') === 'true', phase: attr('phase'), dotsTotal: +attr('dots-total') || 0, timer: attr('timer-ends-at')
    });
    var shownPhase = room.phase;
    /* Empty, then set: a live region repeats even an identical message. */
    function show(el, msg) {
      if (!el) return;
      el.textContent = '';
      setTimeout(function () { el.textContent = msg; }, 30);
    }
    function say(msg) { show(byId('live-announce'), msg); }
    function schedule() {
      if (!queued) { queued = true; (window.requestAnimationFrame || setTimeout)(render); }
    }
    var countdown = Countdown(byId('live-timer'), byId('live-timer-value'), function () { say(t('time-up')); });
    var page = { root: root, room: room, t: t, attr: attr, show: show, say: say, schedule: schedule };
    var hooks = setup(page);
    function render() {
      queued = false;
      if (room.phase !== shownPhase) say(t('phase-changed', { phase: t('phase-' + (shownPhase = room.phase)) }));
      if (room.timer !== shownTimer) countdown(shownTimer = room.timer);
      root.setAttribute('data-phase', room.phase);
      if (room.title) setText(byId('live-title'), room.title);
      setText(byId('live-phase'), t('phase-' + room.phase));
      hooks.render();
    }
    var handlers = room.handlers(function (what) {
      if (what === 'tally' || what === 'snapshot' || what === 'phase') clearTimeout(tallyWait);
      /* Tallies just became visible: a tally frame should follow; if none comes, ask (jittered). */
      if (what === 'phase' && hooks.votesShown()) {
        for (var k in room.ideas) {
          if (room.ideas[k].votes === null) { tallyWait = setTimeout(page.live.sync, 3000 + Math.random() * 4000); break; }
        }
      }
      if (hooks.frame) hooks.frame(what);
      schedule();
    });
    handlers.error = hooks.error;
    render();
    /* The phone (its page has #queue-report) keeps its writes across reloads, per workshop and person. */
    page.live = connect(attr('ws-path'), handlers, t,
      byId('queue-report') && room.joined() ? 'atelier-kept ' + attr('ws-path') + ' ' + room.me.participant : null);
  }

  window.AtelierLive = {
    livePage: livePage, connect: connect, Room: Room, Countdown: Countdown, reconcile: reconcile,
    sizeBars: sizeBars, readJSON: readJSON, readStrings: readStrings, setText: setText, make: make
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', sizeBars); else sizeBars();
})(window, document);
