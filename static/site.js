// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Facet checkboxes and the sort / page-size selects submit the search form at once.
  function submitOnChange(event) {
    var control = event.target;
    if (!control.classList || !control.classList.contains("autosubmit")) {
      return;
    }
    var form = control.form;
    if (!control.checked && control.type === "checkbox") {
      // Unchecking a parent (a treatment, a guideline) unchecks its children with it.
      var item = control.closest("li");
      var children = item ? item.querySelectorAll(".facet-children input[type=checkbox]") : [];
      for (var i = 0; i < children.length; i++) {
        children[i].checked = false;
      }
    }
    if (form) {
      rememberFocus(control);
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }
  }

  // After a filter click the page reloads: put the keyboard focus back on that control.
  var FOCUS_KEY = "imr-search-focus";

  function rememberFocus(control) {
    try {
      window.sessionStorage.setItem(FOCUS_KEY, JSON.stringify({
        id: control.id || "", name: control.name || "", value: control.value || ""
      }));
    } catch (ignored) {
      // Storage may be disabled: the page still works, the focus starts at the top.
    }
  }

  function restoreFocus() {
    var saved;
    try {
      saved = JSON.parse(window.sessionStorage.getItem(FOCUS_KEY) || "null");
      window.sessionStorage.removeItem(FOCUS_KEY);
    } catch (ignored) {
      return;
    }
    if (!saved) {
      return;
    }
    var target = saved.id ? document.getElementById(saved.id) : null;
    if (!target && saved.name) {
      var boxes = document.getElementsByName(saved.name);
      for (var i = 0; i < boxes.length; i++) {
        if (boxes[i].value === saved.value) {
          target = boxes[i];
          break;
        }
      }
    }
    if (target) {
      var closed = target.closest("details:not([open])");
      while (closed) {
        closed.open = true;
        closed = closed.parentNode.closest("details:not([open])");
      }
      target.focus();
    }
  }

  // "Cite this decision": copy the text of the matching read-only input.
  function copyCitation(button) {
    var input = document.getElementById(button.getAttribute("data-target"));
    var status = button.parentNode.querySelector(".copy-status");
    if (!input) {
      return;
    }
    function done(message) {
      if (status) {
        status.textContent = message;
      }
    }
    input.select();
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).then(
        function () { done("Copied to the clipboard."); },
        function () { done("Select the text and press Ctrl+C to copy."); }
      );
    } else {
      done("Select the text and press Ctrl+C to copy.");
    }
  }

  // Leave empty fields (an unused date box) out of the URL so links stay short.
  function dropEmptyFields(event) {
    var form = event.target;
    if (form.id !== "search-form") {
      return;
    }
    var fields = form.elements;
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].name && fields[i].value === "" && fields[i].type !== "checkbox") {
        fields[i].disabled = true;
      }
    }
  }

  // A filter box over a long facet (states, guideline sources): show the matching values.
  function filterFacet(box) {
    var group = document.getElementById(box.getAttribute("aria-controls"));
    var wanted = box.value.trim().toLowerCase();
    var options = group.querySelectorAll(".facet-values label.facet-option");
    var i;
    for (i = 0; i < options.length; i++) {
      var text = options[i].querySelector(".facet-label").textContent.toLowerCase();
      options[i].parentNode.hidden = wanted !== "" && text.indexOf(wanted) < 0;
    }
    // A parent stays visible, its children open, while any child matches.
    var parents = group.querySelectorAll(".facet-values > li");
    for (i = 0; i < parents.length; i++) {
      var shown = parents[i].querySelectorAll(".facet-children li:not([hidden])").length;
      if (wanted !== "" && shown) {
        parents[i].hidden = false;
        parents[i].querySelector(".facet-children").open = true;
      }
    }
    if (wanted !== "") {
      var more = group.querySelectorAll("details.facet-more");
      for (i = 0; i < more.length; i++) {
        more[i].open = true;
      }
    }
  }

  document.addEventListener("input", function (event) {
    if (event.target.classList && event.target.classList.contains("facet-filter")) {
      filterFacet(event.target);
    }
  });
  document.addEventListener("change", submitOnChange);
  document.addEventListener("submit", dropEmptyFields);
  document.addEventListener("DOMContentLoaded", function () {
    restoreFocus();
    var boxes = document.querySelectorAll("input.facet-filter");
    for (var j = 0; j < boxes.length; j++) {
      boxes[j].hidden = false;
    }
    var buttons = document.querySelectorAll("button.copy-cite");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function (event) {
        copyCitation(event.currentTarget);
      });
    }
  });
})();
