/* The search page without full reloads: a change of a filter or of the sort order, a
   submitted query, a removed chip, a facet or a page link fetch the same URL the plain
   form or link would load, swap #search-app for the new one and push the URL into the
   history (the URL keeps the whole state; back and forward work). Without JavaScript, or
   when a fetch fails, the GET form and the links load the page as usual. */
(function () {
  "use strict";
  var app = document.getElementById("search-app");
  if (!app || !window.fetch || !window.history || !window.history.pushState || !window.DOMParser) { return; }
  document.documentElement.classList.add("js-search");
  var live = document.getElementById("search-live");
  var serial = 0;

  function formUrl(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (typeof value === "string" && value.trim() !== "") { params.append(key, value.trim()); }
    });
    var action = new URL(form.getAttribute("action") || location.pathname, location.href);
    var query = params.toString();
    return action.pathname + (query ? "?" + query : "");
  }

  function load(url, options) {
    options = options || {};
    var current = document.getElementById("search-app");
    var panel = current.querySelector(".filter-panel");
    var wasOpen = panel ? panel.open : false;
    var focusedId = document.activeElement && current.contains(document.activeElement) ? document.activeElement.id : "";
    var mine = ++serial;
    current.setAttribute("aria-busy", "true");
    return fetch(url, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        if (mine !== serial) { return; }  // a newer change won
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("search-app");
        if (!fresh) { throw new Error("no search page"); }
        current.replaceWith(fresh);
        document.title = doc.title;
        if (options.push) { history.pushState({ search: true }, "", url); }
        var newPanel = fresh.querySelector(".filter-panel");
        if (newPanel && wasOpen && !options.closePanel) { newPanel.open = true; }
        var count = fresh.querySelector("#result-count");
        if (live && count) { live.textContent = count.textContent.trim(); }
        var again = focusedId && document.getElementById(focusedId);
        if (again && !options.toResults) {
          again.focus();
        } else if (options.toResults && count) {
          count.focus({ preventScroll: true });
          fresh.querySelector(".results").scrollIntoView({ block: "start" });
        }
      })
      .catch(function () {
        if (mine === serial) { location.assign(url); }  // fall back to a normal page load
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.id !== "search-form") { return; }
    event.preventDefault();
    var closing = !!(event.submitter && event.submitter.hasAttribute("data-close-panel"));
    load(formUrl(form), { push: true, closePanel: closing, toResults: closing });
  });

  document.addEventListener("change", function (event) {
    var field = event.target;
    var form = field && field.form;
    if (!form || form.id !== "search-form" || field.name === "q") { return; }
    load(formUrl(form), { push: true });
  });

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
    var link = event.target.closest && event.target.closest("[data-live-links] a[href]");
    if (!link || !document.getElementById("search-app").contains(link)) { return; }
    var url = new URL(link.href, location.href);
    if (url.origin !== location.origin) { return; }
    event.preventDefault();
    var paging = link.getAttribute("rel") === "next" || link.getAttribute("rel") === "prev";
    load(url.pathname + url.search, { push: true, toResults: paging });
  });

  history.replaceState({ search: true }, "", location.href);
  window.addEventListener("popstate", function () {
    if (document.getElementById("search-app")) { load(location.pathname + location.search, { push: false }); }
  });
})();
