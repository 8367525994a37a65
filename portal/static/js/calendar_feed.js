/* The calendar address of the booking settings: a "Copy" button (shown only where the
   browser can copy) and the field selects all of itself when tapped, for copying by hand. */
(function () {
  "use strict";
  document.querySelectorAll(".calendar-feed-url").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
  if (!(navigator.clipboard && navigator.clipboard.writeText)) { return; }
  document.querySelectorAll(".calendar-feed-copy").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy-target"));
      var status = button.parentNode.querySelector(".calendar-feed-status");
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) { status.textContent = button.getAttribute("data-copied"); }
      }, function () { field.focus(); });
    });
  });
})();
