// The work queue on a phone: the filter panel starts folded, so the reports are what one
// sees first. It stays open when the filters have an error. Without script it is open.
(function () {
  "use strict";
  var panel = document.querySelector("[data-fold-on-phone]");
  if (panel && !panel.hasAttribute("data-has-errors") && window.matchMedia("(max-width: 40rem)").matches) {
    panel.open = false;
  }
})();
