// A <select data-autosubmit> submits its form when changed (the year and department pickers). Scripts are
// files, never inline handlers: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field && field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) field.form.submit();
  });
})();
