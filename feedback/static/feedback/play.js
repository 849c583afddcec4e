/* Feedback on play mode: pin a comment where the tester taps, and during a test task send
   every tap to the server, which says where it leads. Loaded before prototypes' play.js: a
   tap handled here goes no further (no link followed, no hotspots flashed). */
(function () {
  'use strict';
  var svg = document.getElementById('play-screen');
  if (!svg) return;
  var toggle = document.getElementById('comment-toggle'), form = document.getElementById('comment-form');
  var hint = document.getElementById('comment-hint'), status = document.getElementById('comment-status');
  var commenting = false, point = null, marker = null;
  var SVGNS = 'http://www.w3.org/2000/svg';

  function setCommenting(on) {
    commenting = on;
    toggle.setAttribute('aria-pressed', on ? 'true' : 'false');
    svg.classList.toggle('commenting', on);
    hint.hidden = !on;
    if (on) hint.textContent = hint.getAttribute('data-instruction');
    if (!on) { form.hidden = true; if (marker) { marker.remove(); marker = null; } }
  }

  /* Where the tap is on the picture, in fractions: measured on the picture as drawn, so it is
     right however the screen is scaled to fit the window. */
  var picture = svg.querySelector('image');
  function toFraction(ev) {
    var box = picture.getBoundingClientRect(), view = svg.viewBox.baseVal;
    var x = (ev.clientX - box.left) / box.width, y = (ev.clientY - box.top) / box.height;
    return { x: Math.min(1, Math.max(0, x)), y: Math.min(1, Math.max(0, y)), view: view };
  }

  function placeMarker(p) {
    if (marker) marker.remove();
    marker = document.createElementNS(SVGNS, 'g');
    marker.setAttribute('class', 'pin pin-mine');
    marker.setAttribute('transform', 'translate(' + (p.x * p.view.width) + ' ' + (p.y * p.view.height) + ')');
    var ring = document.createElementNS(SVGNS, 'circle'); ring.setAttribute('r', '18');
    var dot = document.createElementNS(SVGNS, 'circle'); dot.setAttribute('r', '6'); dot.setAttribute('class', 'pin-dot');
    marker.appendChild(ring); marker.appendChild(dot);
    svg.appendChild(marker);
  }

  if (toggle && form && !document.getElementById('task-bar')) {
    /* The link to the feedback form becomes the button that pins a comment on the screen. */
    toggle.setAttribute('role', 'button');
    toggle.setAttribute('aria-pressed', 'false');
    toggle.addEventListener('click', function (ev) { ev.preventDefault(); setCommenting(!commenting); });
    /* A link answers Enter only; a button answers Space too. */
    toggle.addEventListener('keydown', function (ev) {
      if (ev.key === ' ') { ev.preventDefault(); setCommenting(!commenting); }
    });
    document.getElementById('comment-cancel').addEventListener('click', function () { setCommenting(false); toggle.focus(); });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (!point) return;
      var rating = form.rating.value, role = form.role.value;
      var body = { version: Number(form.getAttribute('data-version')), screen: Number(form.getAttribute('data-screen')),
                   x: Math.round(point.x * 1000) / 1000, y: Math.round(point.y * 1000) / 1000, text: form.text.value };
      if (rating) body.rating = Number(rating);
      if (role) body.role = role;
      fetch(form.getAttribute('data-api'), {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': form.csrfmiddlewaretoken.value },
        body: JSON.stringify(body)
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (!result.ok) { status.textContent = result.data.message || form.getAttribute('data-error'); return; }
        // Keep the pin on the screen, described as the server-drawn ones are.
        marker.setAttribute('role', 'img');
        marker.setAttribute('aria-label', form.getAttribute('data-pin-label') + ': ' + body.text);
        var title = document.createElementNS(SVGNS, 'title');
        title.textContent = body.text;
        marker.insertBefore(title, marker.firstChild);
        marker = null;
        form.text.value = '';
        setCommenting(false);
        hint.hidden = false;
        hint.textContent = form.getAttribute('data-sent');
      }, function () { status.textContent = form.getAttribute('data-error'); });
    });
  }

  /* Taking a test task: every tap goes to the server, which says where it leads. */
  var taskBar = document.getElementById('task-bar');
  var running = taskBar && taskBar.getAttribute('data-outcome') === 'running';
  function post(url, body) {
    var token = taskBar.querySelector('[name=csrfmiddlewaretoken]');
    return fetch(url, {
      method: 'POST', credentials: 'same-origin', keepalive: true,
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token ? token.value : '' },
      body: JSON.stringify(body || {})
    }).then(function (r) { return r.json(); });
  }
  if (running) {
    var base = taskBar.getAttribute('data-base'), runId = taskBar.getAttribute('data-run');
    document.getElementById('task-give-up').addEventListener('click', function () {
      post(taskBar.getAttribute('data-give-up')).then(function () { window.location.reload(); });
    });
    document.getElementById('task-restart').addEventListener('click', function () {
      post(taskBar.getAttribute('data-restart')).then(function (data) { window.location.href = data.play_url; });
    });
  }

  svg.addEventListener('click', function (ev) {
    if (running) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
      var p = toFraction(ev);
      post(taskBar.getAttribute('data-taps'), {
        screen: Number(taskBar.getAttribute('data-screen')), x: Math.round(p.x * 1000) / 1000, y: Math.round(p.y * 1000) / 1000
      }).then(function (result) {
        /* A refused tap (the run is elsewhere or over): reload, the server shows where it is. */
        if (result.code) { window.location.reload(); return; }
        if (result.led_to) window.location.href = base + 's' + result.led_to + '/?run=' + runId;
        else if (result.url) window.open(result.url, '_blank', 'noopener');
        /* A miss is recorded and shows nothing: hints would change the test. */
      });
      return;
    }
    if (commenting) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
      point = toFraction(ev);
      placeMarker(point);
      form.hidden = false;
      status.textContent = '';
      form.text.focus();
    }
  });
})();
