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
    if (form) {
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
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

  document.addEventListener("change", submitOnChange);
  document.addEventListener("submit", dropEmptyFields);
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("button.copy-cite");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function (event) {
        copyCitation(event.currentTarget);
      });
    }
  });
})();
