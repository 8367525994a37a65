/* The installable web app on every page (portal/views/catalog/webapp.py): registers the service
   worker (its URL in this script's data-worker, scope: the whole site) and tells it the page's
   language, so that an offline page for a URL without a language prefix (/requests/...) comes in
   the language the visitor reads. On the offline page, "Try again" reloads the requested URL
   (its href="" does the same without JavaScript). Pages work the same without it. */
(function () {
  "use strict";
  var script = document.currentScript;
  var worker = (script && script.getAttribute("data-worker")) || "/sw.js";
  var language = document.documentElement.getAttribute("lang") || "";

  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-reload]");
    if (target) {
      event.preventDefault();
      window.location.reload();
    }
  });

  if (!("serviceWorker" in navigator) || !window.isSecureContext) {
    return;
  }

  function tell(registration) {
    var active = registration && registration.active;
    if (active && language) {
      active.postMessage({ type: "language", language: language });
    }
  }

  function start() {
    var scope = worker.replace(/[^/]*$/, "");
    navigator.serviceWorker.register(worker, { scope: scope }).catch(function () {
      /* no worker (private mode, an old browser): the site works as before */
    });
    navigator.serviceWorker.ready.then(tell);
  }

  if (document.readyState === "complete") {
    start();
  } else {
    window.addEventListener("load", start);
  }
})();
