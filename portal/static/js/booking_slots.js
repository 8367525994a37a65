/* The next free times on a profile: the profile page is cached for visitors, the free
   times change with the clock and with bookings, so they come from a small fragment
   (/practitioners/<id>/slots) loaded here. Without JavaScript, or if loading fails, the
   block keeps its link to the booking page. */
(function () {
  "use strict";
  var box = document.querySelector("[data-slots-url]");
  if (!box || !window.fetch) { return; }
  fetch(box.getAttribute("data-slots-url"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
    .then(function (response) { return response.ok ? response.text() : null; })
    .then(function (html) { if (html) { box.innerHTML = html; } })
    .catch(function () { /* keep the link */ });
})();
