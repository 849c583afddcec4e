/* Atelier's service worker (issue #19): keeps the participant page (/w/<code>/) and its files
   so that a phone that lost the network can still reload it; live.js keeps the writes made
   meanwhile. Served by ideas.views.service_worker at /w/sw.js with scope /w/; registered by
   offline.js. The API, the socket and every POST go to the network untouched. */
'use strict';
var CACHE = 'atelier-{{ version|escapejs }}';
var STATIC = '{{ static_url|escapejs }}';
var PAGE = /^\/w\/[^/]+\/$/;
/* Django's manifest names (live.0123456789ab.js) change with their content: safe to keep. */
var HASHED = /\.[0-9a-f]{12}\.\w+$/;

self.addEventListener('install', function () { self.skipWaiting(); });

/* A new version (a deploy changed the static files) drops the caches of the old ones. */
self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.map(function (key) {
      return key.indexOf('atelier-') === 0 && key !== CACHE ? caches.delete(key) : null;
    }));
  }).then(function () { return self.clients.claim(); }));
});

function keep(key, response) {
  if (!response.ok || response.redirected || response.type !== 'basic') return Promise.resolve();
  return caches.open(CACHE).then(function (cache) { return cache.put(key, response); });
}

function cached(key) {
  /* The page varies by cookie and language; the one kept is this phone's own. */
  return caches.match(key, { ignoreVary: true, cacheName: CACHE });
}

/* The page loaded before this worker controlled it: it lists itself and its files. */
self.addEventListener('message', function (event) {
  var urls = event.data && event.data.keep;
  if (!Array.isArray(urls)) return;
  event.waitUntil(Promise.all(urls.map(function (url) {
    url = new URL(url, self.location.href);
    if (url.origin !== self.location.origin || !(PAGE.test(url.pathname) || url.pathname.indexOf(STATIC) === 0)) return null;
    return fetch(url.href, { credentials: 'same-origin' }).then(function (response) {
      return keep(url.origin + url.pathname, response);
    }, function () {});
  })));
});

self.addEventListener('fetch', function (event) {
  var request = event.request, url = new URL(request.url), key = url.origin + url.pathname, hit;
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf(STATIC) === 0 && HASHED.test(url.pathname)) {
    hit = cached(key).then(function (found) {
      return found || fetch(request).then(function (response) {
        event.waitUntil(keep(key, response.clone()));
        return response;
      });
    });
  } else if ((request.mode === 'navigate' && PAGE.test(url.pathname)) || url.pathname.indexOf(STATIC) === 0) {
    /* The page (and files without a hash, in development): the network's copy when there is
       one, so nothing is stale; the last one kept when there is none. */
    hit = fetch(request).then(function (response) {
      event.waitUntil(keep(key, response.clone()));
      return response;
    }, function (offline) {
      return cached(key).then(function (found) { if (found) return found; throw offline; });
    });
  } else {
    return;
  }
  event.respondWith(hit);
});
