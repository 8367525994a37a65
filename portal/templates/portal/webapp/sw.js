/* AlemTrust service worker, served at /sw.js by portal/views/catalog/webapp.py (scope: the whole site).

   - Installation keeps the offline pages of every language and the files they need in a cache
     named after a hash of them: a release that changes any of them installs a new worker, whose
     activation deletes the older caches.
   - The site's own static files (/static/..., fingerprinted URLs) come from the cache first.
   - Pages (navigations) always go to the network; when that fails (no connection, the server
     down) the offline page is shown in the language of the requested URL (/kk/... is Kazakh),
     else of the page the visitor came from, else of the last page seen, else the browser's.
   - Nothing else is touched: pages, /api/ answers and files of a user are never stored.
   - Web Push: the payload {"title", "body", "url", "tag"} becomes a notification with the
     portal's icon; a click focuses or opens its URL (this site's URLs only). */
"use strict";

const CONFIG = {{ config|tojson }};
const PREFIX = "alemtrust-";
const CACHE = PREFIX + CONFIG.version;
const STATE = PREFIX + "state"; // the language of the last page seen (kept across versions)
const LANGUAGE_KEY = CONFIG.root + "/__webapp/language";
const GATEWAY_DOWN = [502, 504]; // a proxy's answer when the portal itself does not answer
let pageLanguage = null;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(CONFIG.precache.map(
        // without cookies: the offline page is the same for everybody and shows nothing personal
        (url) => new Request(url, { credentials: "omit", cache: "reload" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith(PREFIX) && name !== CACHE && name !== STATE)
      .map((name) => caches.delete(name)));
    if (self.registration.navigationPreload) {
      await self.registration.navigationPreload.enable();
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "language" && CONFIG.languages.includes(data.language)) {
    event.waitUntil(remember(data.language));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(navigate(event));
  } else if (url.pathname.startsWith(CONFIG.static) && !CONFIG.skip.some((p) => url.pathname.startsWith(p))) {
    event.respondWith(cacheFirst(request));
  }
  // anything else (API answers, a user's files, feeds): the network, never stored
});

async function navigate(event) {
  try {
    const response = (await event.preloadResponse) || (await fetch(event.request));
    if (GATEWAY_DOWN.includes(response.status)) {
      return (await offlinePage(event.request)) || response;
    }
    return response;
  } catch (error) {
    return (await offlinePage(event.request)) || Response.error();
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, { ignoreVary: true });
  if (hit) {
    return hit;
  }
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    // offline, and this version of the file was never fetched: any version kept is better than none
    const older = await cache.match(request, { ignoreVary: true, ignoreSearch: true });
    if (older) {
      return older;
    }
    throw error;
  }
  if (response.ok && response.type === "basic") {
    cache.put(request, response.clone()).catch(() => {});
  }
  return response;
}

function prefixLanguage(address) {
  if (!address) {
    return null;
  }
  let path;
  try {
    const url = new URL(address, self.location.href);
    if (url.origin !== self.location.origin) {
      return null;
    }
    path = url.pathname;
  } catch (error) {
    return null;
  }
  if (CONFIG.root && path.startsWith(CONFIG.root + "/")) {
    path = path.slice(CONFIG.root.length);
  }
  const head = path.split("/")[1] || "";
  return CONFIG.languages.includes(head) ? head : null;
}

function browserLanguage() {
  for (const tag of self.navigator.languages || []) {
    const code = tag.toLowerCase().split("-")[0];
    if (CONFIG.languages.includes(code)) {
      return code;
    }
  }
  return null;
}

async function remember(language) {
  pageLanguage = language;
  const cache = await caches.open(STATE);
  await cache.put(LANGUAGE_KEY, new Response(language));
}

async function rememberedLanguage() {
  if (pageLanguage) {
    return pageLanguage;
  }
  const cache = await caches.open(STATE);
  const stored = await cache.match(LANGUAGE_KEY);
  const language = stored ? (await stored.text()).trim() : null;
  return CONFIG.languages.includes(language) ? language : null;
}

async function languageOf(request) {
  return prefixLanguage(request.url) || prefixLanguage(request.referrer) || (await rememberedLanguage())
    || browserLanguage() || CONFIG.default;
}

async function offlinePage(request) {
  const cache = await caches.open(CACHE);
  const language = await languageOf(request);
  return (await cache.match(CONFIG.offline[language], { ignoreVary: true }))
    || cache.match(CONFIG.offline[CONFIG.default], { ignoreVary: true });
}

function ownUrl(address) {
  try {
    const url = new URL(address || CONFIG.home, self.location.origin);
    if (url.origin === self.location.origin) {
      return url.href;
    }
  } catch (error) {
    /* not a URL: the home page */
  }
  return new URL(CONFIG.home, self.location.origin).href;
}

self.addEventListener("push", (event) => {
  let data = {};
  if (event.data) {
    try {
      data = event.data.json() || {};
    } catch (error) {
      data = { body: event.data.text() };
    }
  }
  const options = {
    body: data.body || "",
    icon: CONFIG.icon,
    badge: CONFIG.badge,
    data: { url: ownUrl(data.url) },
  };
  if (data.tag) {
    options.tag = String(data.tag);
    options.renotify = true;
  }
  event.waitUntil(self.registration.showNotification(data.title || "AlemTrust", options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = ownUrl(event.notification.data && event.notification.data.url);
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    for (const client of windows) {
      if (client.url === target && "focus" in client) {
        return client.focus();
      }
    }
    return self.clients.openWindow(target);
  })());
});
