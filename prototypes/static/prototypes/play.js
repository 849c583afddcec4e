/* Play mode, enhanced: a tap outside every hotspot briefly shows where they are; "back"
   hotspots use the browser history. Everything works without this file. The scripts of
   play-mode layers (feedback's) load before it and may keep a tap to themselves. */
(function () {
  'use strict';
  var svg = document.getElementById('play-screen');
  if (!svg) return;
  var timer = null;

  svg.addEventListener('click', function (ev) {
    var link = ev.target.closest ? ev.target.closest('a') : null;
    if (link) {
      var fromHere = document.referrer && document.referrer.indexOf(window.location.origin + '/p/') === 0;
      if (link.classList.contains('hotspot-back') && window.history.length > 1 && fromHere) {
        ev.preventDefault();
        window.history.back();
      }
      return;
    }
    svg.classList.add('show-hotspots');
    clearTimeout(timer);
    timer = setTimeout(function () { svg.classList.remove('show-hotspots'); }, 900);
  });
})();
