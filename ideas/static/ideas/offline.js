/* Offline tolerance on the phone (issue #19): registers the service worker that keeps this page
   and its files, and tells what became of the writes an earlier load of the page kept while
   offline (live.js replays them; those made on this page answer where they were made). */
(function (window, document, navigator) {
  'use strict';
  var sw = navigator.serviceWorker, AL = window.AtelierLive, report = document.getElementById('queue-report');
  var t = AL.readStrings(), sent = 0, failed = [], hideTimer;

  function render() {
    var lines = failed.slice();
    if (sent) lines.unshift(t('queue-sent', { n: sent }));
    report.textContent = '';
    lines.forEach(function (line) { report.appendChild(AL.make('p', null, line)); });
    report.hidden = !lines.length;
    report.className = failed.length ? 'queue-report error-summary' : 'queue-report';
  }

  document.addEventListener('atelier:replayed', function (ev) {
    var m = ev.detail.answer, text = ev.detail.message.text;
    if (m.type === 'ack') sent++;
    else failed.push(t('queue-failed', { message: m.message || t('error') }) + (text ? ' (\u201c' + String(text).slice(0, 60) + '\u201d)' : ''));
    render();
    /* The count of what went is news for a moment; what did not go stays until read. */
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () { sent = 0; render(); }, 8000);
  });

  if (!sw) return;
  var controlled = !!sw.controller;
  sw.register(report.getAttribute('data-worker'), { scope: '/w/' }).then(function () { return sw.ready; }).then(function (reg) {
    /* This load did not go through the worker: hand it the page and its files to keep. */
    if (controlled || !reg.active) return;
    var urls = [location.pathname], els = document.querySelectorAll('link[rel~="stylesheet"], link[rel~="icon"], script[src]'), i;
    for (i = 0; i < els.length; i++) urls.push(els[i].href || els[i].src);
    reg.active.postMessage({ keep: urls });
  })['catch'](function () { /* no worker (private mode, an old browser): online only, as before */ });
})(window, document, navigator);
