/* The run of show on every live page: a phone answers the current poll, scale or word cloud;
   the wall screen and the console show its figures. One renderer per kind, in one place;
   a brainstorm is drawn by the page itself (its ideas and dots). Needs live.js. */
(function (window, document) {
  'use strict';
  var AL = window.AtelierLive, make = AL.make, setText = AL.setText;
  var OPEN = 'open', REVEALED = /^(results|closed)$/;

  function key(item) { return item.id != null ? item.id : item.text; }

  /* Horizontal bars with their numbers as text: [{id, label, value, note}]. */
  function bars(list, items) {
    var max = 0;
    items.forEach(function (i) { max = Math.max(max, i.value); });
    AL.reconcile(list, items, key, function () {
      var li = make('li', 'act-bar'), p = li._p = {
        label: make('span', 'act-bar-label'), track: make('span', 'bar-track'), fill: make('span', 'bar-fill'),
        value: make('span', 'act-bar-value')
      };
      p.track.setAttribute('aria-hidden', 'true');
      p.track.appendChild(p.fill);
      li.appendChild(p.label);
      li.appendChild(p.track);
      li.appendChild(p.value);
      return li;
    }, function (li, item) {
      setText(li._p.label, item.label);
      setText(li._p.value, item.note);
      li.setAttribute('data-value', item.value);
      li._p.fill.style.width = (max ? 100 * item.value / max : 0) + '%'; /* CSSOM: allowed by the CSP */
    });
  }

  function pollFigures(a, t) {
    var counts = a.counts || {}, total = 0;
    a.options.forEach(function (o) { total += counts[o.id] || 0; });
    return a.options.map(function (o) {
      var n = counts[o.id] || 0;
      return { id: o.id, label: o.text, value: n, note: t('answers-share', { n: n, share: total ? Math.round(100 * n / total) : 0 }) };
    });
  }

  /* A scale statement: five segments (1 to 5) sized by how many chose each, and the mean. */
  function scaleRows(list, a, t) {
    var dist = a.distribution || {};
    AL.reconcile(list, a.statements, key, function () {
      var li = make('li', 'act-scale'), p = li._p = {
        label: make('span', 'act-bar-label'), stack: make('span', 'scale-stack'), mean: make('span', 'act-bar-value'), segs: []
      };
      for (var i = 0; i < 5; i++) p.segs.push(p.stack.appendChild(make('span', 'scale-seg scale-seg-' + (i + 1))));
      li.appendChild(p.label);
      li.appendChild(p.stack);
      li.appendChild(p.mean);
      return li;
    }, function (li, s) {
      var d = dist[s.id] || [0, 0, 0, 0, 0], total = 0, sum = 0, i, p = li._p;
      for (i = 0; i < 5; i++) { total += d[i]; sum += (i + 1) * d[i]; }
      li.setAttribute('data-ratings', total);
      setText(p.label, s.text);
      setText(p.mean, total ? t('scale-mean', { mean: (sum / total).toFixed(1), n: total }) : t('no-answers'));
      p.stack.setAttribute('aria-label', t('scale-split', { a: d[0], b: d[1], c: d[2], d: d[3], e: d[4] }));
      p.stack.setAttribute('role', 'img');
      for (i = 0; i < 5; i++) {
        p.segs[i].style.width = (total ? 100 * d[i] / total : 0) + '%';
        setText(p.segs[i], d[i] && total && d[i] / total >= 0.08 ? d[i] : '');
      }
    });
  }

  /* A word cloud: words sized by how many people gave them (six steps), most given first. */
  function cloud(list, words, hide) {
    var max = 1;
    words.forEach(function (w) { max = Math.max(max, w.count); });
    AL.reconcile(list, words, function (w) { return w.text.toLowerCase(); }, function (w) {
      var li = make('li', 'cloud-word');
      li._w = li.appendChild(make('span'));
      li._n = li.appendChild(make('span', 'cloud-count'));
      if (hide) {
        var b = li.appendChild(make('button', 'button-quiet cloud-hide', hide.label));
        b.type = 'button';
        b.setAttribute('data-word', w.text);
        b.setAttribute('aria-label', hide.aria.replace('{word}', w.text));
      }
      return li;
    }, function (li, w) {
      li.setAttribute('data-count', w.count);
      setText(li._w, w.text);
      setText(li._n, '\u00a0' + w.count);
      li.className = 'cloud-word cloud-' + Math.max(1, Math.ceil(6 * w.count / max));
    });
  }

  function section(root, cls, heading) {
    var el = root.appendChild(make('div', cls));
    if (heading) el.appendChild(make('h3', 'act-sub', heading));
    return el;
  }

  /* Phone: the form of an open activity. send(type, payload) -> Promise(ack). */
  function answerForm(root, a, room, ctx) {
    var t = ctx.t, mine = room.answers[String(a.id)], form = root.appendChild(make('form', 'act-form'));
    var status = make('p', 'form-status');
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    form.noValidate = true;
    if (a.kind === 'poll') {
      var fs = form.appendChild(make('fieldset', 'act-choices')), multi = a.max_choices > 1;
      fs.appendChild(make('legend', null, multi ? t('choose-up-to', { n: a.max_choices }) : t('choose-one')));
      a.options.forEach(function (o) {
        var row = fs.appendChild(make('p', 'choice')), input = make('input'), id = 'opt-' + a.id + '-' + o.id;
        input.type = multi ? 'checkbox' : 'radio';
        input.name = 'options';
        input.value = o.id;
        input.id = id;
        input.checked = !!mine && mine.indexOf(o.id) >= 0;
        row.appendChild(input);
        row.appendChild(make('label', null, o.text)).htmlFor = id;
      });
      form.appendChild(make('button', 'idea-submit', mine ? t('change-answer') : t('send-answer'))).type = 'submit';
      form.addEventListener('submit', function (ev) {
        var chosen = [], boxes = form.querySelectorAll('input[name="options"]'), i;
        ev.preventDefault();
        for (i = 0; i < boxes.length; i++) if (boxes[i].checked) chosen.push(+boxes[i].value);
        if (!chosen.length) return ctx.show(status, t('choose-first'));
        if (chosen.length > a.max_choices) return ctx.show(status, t('choose-up-to', { n: a.max_choices }));
        ctx.show(status, t('sending'));
        ctx.send('poll.answer', { activity: a.id, options: chosen }).then(function (ack) {
          room.answers[String(a.id)] = ack.options;
          ctx.show(status, t('answer-saved'));
        }, function (e) { ctx.show(status, e.message || t('error')); });
      });
    } else if (a.kind === 'scale') {
      var rated = mine || {};
      a.statements.forEach(function (s) {
        var fs = form.appendChild(make('fieldset', 'act-rate')), row = make('p', 'rate-row'), n;
        fs.appendChild(make('legend', null, s.text));
        fs.appendChild(row);
        for (n = 1; n <= 5; n++) {
          var id = 'rate-' + s.id + '-' + n, input = make('input'), label = make('label', 'rate-label', String(n));
          input.type = 'radio';
          input.name = 'statement-' + s.id;
          input.value = n;
          input.id = id;
          input.checked = rated[s.id] === n;
          label.htmlFor = id;
          /* On the radio itself: HTML allows no aria-label on a label that names a control. */
          if (n === 1 && a.labels && a.labels.low) input.setAttribute('aria-label', n + ' ' + a.labels.low);
          if (n === 5 && a.labels && a.labels.high) input.setAttribute('aria-label', n + ' ' + a.labels.high);
          row.appendChild(input);
          row.appendChild(label);
        }
        if (a.labels && (a.labels.low || a.labels.high)) {
          var ends = fs.appendChild(make('p', 'rate-ends'));
          ends.appendChild(make('span', null, '1 = ' + (a.labels.low || '')));
          ends.appendChild(make('span', null, '5 = ' + (a.labels.high || '')));
        }
        fs.addEventListener('change', function (ev) {
          var value = +ev.target.value;
          ctx.send('scale.rate', { activity: a.id, statement: s.id, value: value }).then(function () {
            rated[s.id] = value;
            room.answers[String(a.id)] = rated;
            ctx.show(status, t('rating-saved', { statement: s.text.slice(0, 60) }));
          }, function (e) { ctx.show(status, e.message || t('error')); });
        });
      });
    } else if (a.kind === 'words') {
      var words = mine || [], label = form.appendChild(make('label', 'compose-label', t('your-word')));
      var input = form.appendChild(make('input', 'word-input')), list = make('ul', 'my-words');
      var button = make('button', 'idea-submit', t('add-word'));
      label.htmlFor = input.id = 'word-' + a.id;
      input.type = 'text';
      input.maxLength = a.max_length || 25;
      input.autocomplete = 'off';
      form.appendChild(button).type = 'submit';
      form.appendChild(make('p', 'counter')).id = 'words-left-' + a.id;
      form.appendChild(list);
      var draw = function () {
        while (list.firstChild) list.removeChild(list.firstChild);
        words.forEach(function (w) { list.appendChild(make('li', 'chip', w)); });
        var left = Math.max(0, (a.max_words || 3) - words.length);
        setText(document.getElementById('words-left-' + a.id), t('words-left', { n: left }));
        input.disabled = button.disabled = left === 0;
      };
      draw();
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var text = input.value.replace(/\s+/g, ' ').trim();
        if (!text) { ctx.show(status, t('word-empty')); return input.focus(); }
        ctx.send('words.add', { activity: a.id, text: text }).then(function (ack) {
          if (!ack.already) words.push(ack.text);
          room.answers[String(a.id)] = words;
          input.value = '';
          draw();
          ctx.show(status, ack.already ? t('word-already') : t('word-added'));
        }, function (e) { ctx.show(status, e.message || t('error')); });
      });
    }
    form.appendChild(status);
  }

  /* What the frame (title, form) is drawn from: the activity, its phase and its wording (the
     admin may reword the one the room is on); not its figures, which change in place. */
  var WORDING = ['title', 'prompt', 'max_choices', 'options', 'labels', 'statements', 'max_words', 'max_length'];
  function shapeOf(a) {
    return a && a.kind !== 'brainstorm' ? JSON.stringify([a.id, a.phase].concat(WORDING.map(function (k) { return a[k]; }))) : '';
  }

  /* Draws the current activity (not a brainstorm) into `root`; ctx = {mode: 'phone' |
     'screen' | 'console', t, show, send}. The frame (title, form) is rebuilt only when the
     activity, its phase or its wording changes; the figures update in place. */
  function render(root, room, ctx) {
    var a = room.activity, t = ctx.t, shape = shapeOf(a);
    root.hidden = !shape;
    if (!shape) { root._shape = ''; return; }
    if (root._shape !== shape) {
      root._shape = shape;
      while (root.firstChild) root.removeChild(root.firstChild);
      root.setAttribute('data-kind', a.kind);
      root.appendChild(make('h2', 'act-title', a.title));
      if (a.prompt) root.appendChild(make('p', 'act-prompt', a.prompt));
      if (ctx.mode === 'phone' && a.phase === OPEN && room.joined()) answerForm(root, a, room, ctx);
      else if (ctx.mode === 'phone' && a.phase === OPEN) root.appendChild(make('p', 'note', t('join-to-answer')));
      if (a.phase === 'draft') root.appendChild(make('p', 'note', t('activity-soon')));
      root._hidden = root.appendChild(make('p', 'note', t('results-later')));
      root._figures = section(root, 'act-figures', ctx.mode === 'phone' ? t('room-answers') : null);
      var list = a.kind === 'words' ? 'ul' : 'ol';
      root._list = root._figures.appendChild(make(list, a.kind === 'words' ? 'cloud' : a.kind === 'scale' ? 'act-scales' : 'act-bars'));
    }
    var shown = !!(a.counts || a.distribution || a.words);
    root._hidden.hidden = shown || a.phase === 'draft';
    root._figures.hidden = !shown;
    if (!shown) return;
    if (a.kind === 'poll') bars(root._list, pollFigures(a, t));
    else if (a.kind === 'scale') scaleRows(root._list, a, t);
    else if (a.kind === 'words') {
      cloud(root._list, a.words || [], ctx.mode === 'console' && { label: t('hide'), aria: t('hide-word') });
    }
    root.setAttribute('data-revealed', String(REVEALED.test(a.phase)));
  }

  window.AtelierActivities = { render: render };
})(window, document);
