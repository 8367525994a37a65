/* Suggestions while typing in a search box: fills the box's <datalist> from
   the JSON suggest endpoint. Delegated from the document, so a search box that
   js/directory.js swaps in keeps working. Without JavaScript the form works as it is. */
(function () {
  "use strict";
  if (!window.fetch) { return; }
  var timer = null;
  var last = "";
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input || !input.matches || !input.matches("input[data-suggest-url]")) { return; }
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.getAttribute("data-suggest-url");
    var value = input.value.trim();
    if (!list || !url) { return; }
    if (timer) { clearTimeout(timer); }
    if (value.length < 2 || value === last) { return; }
    timer = setTimeout(function () {
      last = value;
      fetch(url + "?q=" + encodeURIComponent(value), { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) {
          while (list.firstChild) { list.removeChild(list.firstChild); }
          (data.suggestions || []).forEach(function (s) {
            var option = document.createElement("option");
            option.value = s.text;
            option.label = s.kind_label;
            list.appendChild(option);
          });
        })
        .catch(function () { /* suggestions are optional */ });
    }, 150);
  });
})();
