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

  document.addEventListener("change", submitOnChange);
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
