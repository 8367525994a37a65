/* The request form: choosing a category lists that category's specializations in place
   (the lists come from the #request-form-specs JSON block: {categoryId: [[id, name], ...]}).
   Without JavaScript the form's "Continue" button shows the page again for the chosen
   category; with it the button is hidden. Ticks of specializations that the new
   category also has are kept; an error shown on the old list goes with it. */
(function () {
  "use strict";
  var form = document.querySelector("form.request-form");
  var data = document.getElementById("request-form-specs");
  if (!form || !data) { return; }
  var select = form.querySelector("select[name=category_id]");
  var box = form.querySelector("[data-spec-box]");
  if (!select || !box) { return; }
  var lists;
  try { lists = JSON.parse(data.textContent); } catch (e) { return; }
  var fieldset = box.querySelector("[data-spec-fieldset]");
  var list = box.querySelector("[data-spec-list]");
  var empty = box.querySelector("[data-spec-empty]");
  var next = form.querySelector("[data-category-continue]");
  if (next) { next.hidden = true; }

  function ticked() {
    var seen = {};
    list.querySelectorAll("input[type=checkbox]").forEach(function (input) {
      if (input.checked) { seen[input.value] = true; }
    });
    return seen;
  }

  function show() {
    var specs = lists[select.value] || [];
    var keep = ticked();
    list.textContent = "";
    specs.forEach(function (spec) {
      var item = document.createElement("li");
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "checkbox";
      input.name = "specialization_ids";
      input.value = String(spec[0]);
      input.checked = Boolean(keep[input.value]);
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + spec[1]));
      item.appendChild(label);
      list.appendChild(item);
    });
    fieldset.classList.remove("has-error");
    fieldset.removeAttribute("aria-describedby");
    fieldset.querySelectorAll(".field-error").forEach(function (p) { p.remove(); });
    fieldset.hidden = specs.length === 0;
    if (empty) { empty.hidden = select.value !== ""; }
  }

  select.addEventListener("change", show);
})();
