/* The share button of a profile: the Web Share API where the device has it, otherwise
   the link is copied to the clipboard and "Link copied" is shown (and announced).
   Without JavaScript the button is a plain link to the profile. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("a.share-button");
    if (!button) { return; }
    var url = button.href;
    var title = button.getAttribute("data-share-title") || document.title;
    var status = button.parentNode.querySelector(".share-status");
    function say(text) {
      if (!status) { return; }
      status.textContent = text;
      status.classList.add("is-visible");
      setTimeout(function () { status.classList.remove("is-visible"); status.textContent = ""; }, 4000);
    }
    if (navigator.share) {
      event.preventDefault();
      navigator.share({ title: title, url: url }).catch(function () { /* the visitor closed the sheet */ });
      return;
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      event.preventDefault();
      navigator.clipboard.writeText(url).then(function () {
        say(button.getAttribute("data-share-copied") || "Link copied");
      }, function () { window.prompt("", url); });
    }
  });
})();
