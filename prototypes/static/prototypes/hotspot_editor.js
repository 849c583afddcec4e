/* Drawing hotspots on the picture: progressive enhancement of the number fields.
   The fields stay the truth: boxes are drawn from them, and drawing, dragging, resizing or
   arrow keys write back to them (fractions 0–1, 3 decimals). Pointer Events, so mouse, pen
   and finger all work. */
(function () {
  'use strict';
  var canvas = document.getElementById('hotspot-canvas');
  var tbody = document.getElementById('hotspot-rows');
  var template = document.getElementById('hotspot-empty-row');
  var total = document.getElementById('id_hotspots-TOTAL_FORMS');
  var maxForms = document.getElementById('id_hotspots-MAX_NUM_FORMS');
  if (!canvas || !tbody || !template || !total) return;

  var STEP = 0.01;   // arrow keys
  var MIN = 0.01;    // smallest side; a smaller drawing is taken for a stray click
  var SIDES = ['x', 'y', 'w', 'h'];
  var ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  var NAME = canvas.dataset.boxLabel || 'Hotspot %s';  // a translated "Hotspot %s" may come from the template
  var boxes = new Map();  // row → box
  var drag = null;

  var round3 = function (v) { return Math.round(v * 1000) / 1000; };
  var clamp = function (v, lo, hi) { return Math.min(Math.max(v, lo), hi); };
  var rowsOf = function () { return Array.prototype.slice.call(tbody.querySelectorAll('tr.hotspot-row')); };
  var field = function (row, name) { return row.querySelector('[name="' + row.dataset.prefix + '-' + name + '"]'); };
  var number = function (row) { return parseInt(row.dataset.prefix.split('-').pop(), 10) + 1; };

  function read(row) {
    var r = {};
    SIDES.forEach(function (side) { r[side] = parseFloat(field(row, side).value); });
    return r;
  }

  function drawable(r) {
    return SIDES.every(function (side) { return isFinite(r[side]); }) && r.w > 0 && r.h > 0;
  }

  /* Keep the rectangle inside the picture, at 3 decimals, and pass `x <= 1 - w` exactly as
     the database checks it (0.063 + 0.937 is 1, yet 0.063 > 1 - 0.937 in floating point). */
  function fit(r, moving) {
    var w = round3(clamp(r.w, MIN, 1)), h = round3(clamp(r.h, MIN, 1));
    var x = round3(clamp(r.x, 0, 1 - w)), y = round3(clamp(r.y, 0, 1 - h));
    while (x > 1 - w) { if (moving) { x = round3(x - 0.001); } else { w = round3(w - 0.001); } }
    while (y > 1 - h) { if (moving) { y = round3(y - 0.001); } else { h = round3(h - 0.001); } }
    return { x: x, y: y, w: w, h: h };
  }

  function write(row, r, moving) {
    r = fit(r, moving);
    SIDES.forEach(function (side) { field(row, side).value = String(r[side]); });
    render(row);
  }

  function place(el, r) {
    el.style.left = r.x * 100 + '%';
    el.style.top = r.y * 100 + '%';
    el.style.width = r.w * 100 + '%';
    el.style.height = r.h * 100 + '%';
  }

  function render(row) {
    var r = read(row), box = boxes.get(row), gone = field(row, 'DELETE');
    if (!box) {
      if (!drawable(r)) return;
      box = document.createElement('div');
      box.className = 'hotspot-box';
      box.tabIndex = 0;
      box.setAttribute('role', 'button');
      box.innerHTML = '<span class="hotspot-box-number" aria-hidden="true"></span>' +
        '<span class="hotspot-box-handle" aria-hidden="true"></span>';
      box.hotspotRow = row;
      boxes.set(row, box);
      canvas.appendChild(box);
    }
    var label = field(row, 'label');
    box.setAttribute('aria-label', NAME.replace('%s', number(row)) + (label && label.value ? ': ' + label.value : ''));
    box.firstChild.textContent = number(row);
    box.classList.toggle('has-errors', row.classList.contains('has-errors'));
    box.hidden = !drawable(r) || Boolean(gone && gone.checked);
    if (!box.hidden) place(box, r);
  }

  function select(row) {
    rowsOf().forEach(function (other) {
      other.classList.toggle('is-selected', other === row);
      var box = boxes.get(other);
      if (box) box.classList.toggle('is-selected', other === row);
    });
  }

  /* The blank extra row if nothing was typed in it, else a new row from the template. */
  function blankRow() {
    var free = rowsOf().filter(function (row) {
      var id = field(row, 'id');
      return !(id && id.value) && SIDES.every(function (side) { return !field(row, side).value; });
    })[0];
    if (free) return free;
    var n = parseInt(total.value, 10);
    if (maxForms && n >= parseInt(maxForms.value, 10)) return null;
    tbody.insertAdjacentHTML('beforeend', template.innerHTML.replace(/__prefix__/g, String(n)));
    total.value = String(n + 1);
    var row = tbody.lastElementChild;
    row.querySelector('th').insertBefore(document.createTextNode(String(n + 1)), row.querySelector('th').firstChild);
    return row;
  }

  function point(ev) {
    var rect = canvas.getBoundingClientRect();
    return { x: clamp((ev.clientX - rect.left) / rect.width, 0, 1), y: clamp((ev.clientY - rect.top) / rect.height, 0, 1) };
  }

  canvas.addEventListener('pointerdown', function (ev) {
    if (ev.button !== 0 || drag) return;
    var box = ev.target.closest('.hotspot-box');
    drag = { start: point(ev), pointer: ev.pointerId };
    if (box) {
      drag.row = box.hotspotRow;
      drag.rect = read(drag.row);
      drag.mode = ev.target.classList.contains('hotspot-box-handle') ? 'resize' : 'move';
      select(drag.row);
      box.focus({ preventScroll: true });  // nothing may move under the pointer
    } else {
      drag.mode = 'draw';
      drag.ghost = document.createElement('div');
      drag.ghost.className = 'hotspot-box is-drawing';
      canvas.appendChild(drag.ghost);
    }
    canvas.setPointerCapture(ev.pointerId);
    ev.preventDefault();
  });

  canvas.addEventListener('pointermove', function (ev) {
    if (!drag || ev.pointerId !== drag.pointer) return;
    var p = point(ev), dx = p.x - drag.start.x, dy = p.y - drag.start.y, r = drag.rect;
    if (drag.mode === 'draw') {
      drag.rect = { x: Math.min(p.x, drag.start.x), y: Math.min(p.y, drag.start.y), w: Math.abs(dx), h: Math.abs(dy) };
      place(drag.ghost, drag.rect);
    } else if (drag.mode === 'move') {
      write(drag.row, { x: r.x + dx, y: r.y + dy, w: r.w, h: r.h }, true);
    } else {
      write(drag.row, { x: r.x, y: r.y, w: Math.min(r.w + dx, 1 - r.x), h: Math.min(r.h + dy, 1 - r.y) }, false);
    }
  });

  function finish(ev) {
    if (!drag || ev.pointerId !== drag.pointer) return;
    var done = drag;
    drag = null;
    if (done.mode !== 'draw') return;
    done.ghost.remove();
    if (ev.type !== 'pointerup' || !done.rect || done.rect.w < MIN || done.rect.h < MIN) return;
    var row = blankRow();
    if (!row) return;
    write(row, done.rect, false);
    select(row);
    field(row, 'target_kind').focus();  // next: where it leads
  }
  canvas.addEventListener('pointerup', finish);
  canvas.addEventListener('pointercancel', finish);

  canvas.addEventListener('keydown', function (ev) {
    var box = ev.target.closest('.hotspot-box');
    if (!box) return;
    var row = box.hotspotRow, d = ARROWS[ev.key], r = read(row);
    if (d) {
      ev.preventDefault();
      if (ev.shiftKey) {
        write(row, { x: r.x, y: r.y, w: Math.min(r.w + d[0] * STEP, 1 - r.x), h: Math.min(r.h + d[1] * STEP, 1 - r.y) }, false);
      } else {
        write(row, { x: r.x + d[0] * STEP, y: r.y + d[1] * STEP, w: r.w, h: r.h }, true);
      }
    } else if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      field(row, 'x').focus();
    }
  });

  canvas.addEventListener('focusin', function (ev) {
    var box = ev.target.closest('.hotspot-box');
    if (box) select(box.hotspotRow);
  });

  tbody.addEventListener('focusin', function (ev) {
    var row = ev.target.closest('tr.hotspot-row');
    if (row) select(row);
  });

  function changed(ev) {
    var row = ev.target.closest('tr.hotspot-row');
    if (!row || !ev.target.name) return;
    var name = ev.target.name.slice(row.dataset.prefix.length + 1);
    // Choosing a screen or typing a link picks the kind of target too.
    var kind = field(row, 'target_kind');
    if (name === 'target_screen' && ev.target.value) kind.value = 'screen';
    if (name === 'target_url' && ev.target.value) kind.value = 'url';
    render(row);
  }
  tbody.addEventListener('input', changed);
  tbody.addEventListener('change', changed);

  canvas.classList.add('is-enhanced');
  rowsOf().forEach(render);
})();
