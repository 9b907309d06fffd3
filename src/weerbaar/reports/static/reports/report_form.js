// Progressive enhancement of the reporter pages; everything works without it.
// - An error summary takes the focus when the page loads, so screen reader and keyboard
//   users start at the list of mistakes; its links put the focus in the field concerned.
// - "Use my current location" fills latitude/longitude from the browser (no map tiles, no
//   requests to anyone: the browser hands the position to this page only).
// - Address search (htmx asks reports_public:address_search while typing): choosing an
//   address fills the place and the point; the number of results is announced.
// - Choosing a category opens its "signals to recognise".
// - Choosing "anonymous" hides and switches off the contact details, which an anonymous
//   report may not carry.
// - "Copy the code" and "Print this page" on the receipt.
(function () {
  "use strict";

  function round(value) {
    return (Math.round(value * 1e6) / 1e6).toFixed(6);
  }

  function isShown(element) {
    return element.getClientRects().length > 0;
  }

  // The first control a person would use inside `container`: the checked radio of a group,
  // else the first visible field, else the summary of the first closed group.
  function firstControl(container) {
    var checked = container.querySelector("input[type=radio]:checked");
    if (checked && isShown(checked)) return checked;
    var controls = container.querySelectorAll("input, select, textarea, button, summary");
    for (var i = 0; i < controls.length; i++) {
      if (controls[i].type !== "hidden" && !controls[i].disabled && isShown(controls[i])) {
        return controls[i];
      }
    }
    return null;
  }

  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) return;
        var control = target.matches("input, select, textarea") ? target : firstControl(target);
        if (!control) return;
        event.preventDefault();
        // Show the question (legend or label) above the field, not just the field.
        var field = target.closest("fieldset, .utrecht-form-field") || target;
        field.scrollIntoView({ block: "start" });
        control.focus({ preventScroll: true });
      });
    });
  }

  var button = document.querySelector("[data-geolocate]");
  if (button && "geolocation" in navigator) {
    var status = document.querySelector("[data-geolocate-status]");
    var form = button.closest("form");
    button.hidden = false;
    button.addEventListener("click", function () {
      if (status) status.textContent = button.getAttribute("data-busy") || "…";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.querySelector("[name$='latitude']").value = round(position.coords.latitude);
          form.querySelector("[name$='longitude']").value = round(position.coords.longitude);
          if (status) status.textContent = button.getAttribute("data-done") || "✓";
        },
        function () {
          if (status) status.textContent = button.getAttribute("data-failed") || "✗";
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  var addressSearch = document.querySelector("[data-address-search]");
  if (addressSearch && window.htmx) {
    var addressInput = addressSearch.querySelector("input[type=search]");
    var addressResults = document.getElementById(addressInput.getAttribute("aria-controls"));
    var addressStatus = addressSearch.querySelector("[data-address-status]");
    var addressForm = addressSearch.closest("form");
    var choiceButtons = function () {
      return Array.prototype.slice.call(addressResults.querySelectorAll("[data-address-choice]"));
    };
    var clearResults = function () {
      addressResults.innerHTML = "";
    };
    addressSearch.hidden = false;

    // The input has no name, so the report form never sends the search text; htmx gets it here.
    addressSearch.addEventListener("htmx:configRequest", function (event) {
      event.detail.parameters.q = addressInput.value;
    });
    // "Too long" and "too many searches" come as 400/429 with a message worth showing.
    addressSearch.addEventListener("htmx:beforeSwap", function (event) {
      var code = event.detail.xhr.status;
      if (code === 400 || code === 429) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });
    addressSearch.addEventListener("htmx:afterSwap", function () {
      var box = addressResults.querySelector("[data-address-results]");
      addressStatus.textContent = box ? box.getAttribute("data-count") : "";
    });

    addressInput.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        // Enter searches now instead of sending the whole report.
        event.preventDefault();
        window.htmx.trigger(addressInput, "wb-address-search");
      } else if (event.key === "ArrowDown") {
        var buttons = choiceButtons();
        if (buttons.length) {
          event.preventDefault();
          buttons[0].focus();
        }
      } else if (event.key === "Escape" && addressResults.firstChild) {
        event.preventDefault();
        clearResults();
        addressStatus.textContent = "";
      }
    });

    addressResults.addEventListener("keydown", function (event) {
      var buttons = choiceButtons();
      var index = buttons.indexOf(document.activeElement);
      if (index < 0) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var next = index + (event.key === "ArrowDown" ? 1 : -1);
        if (next < 0) addressInput.focus();
        else if (next < buttons.length) buttons[next].focus();
      } else if (event.key === "Escape") {
        event.preventDefault();
        clearResults();
        addressStatus.textContent = "";
        addressInput.focus();
      }
    });

    addressResults.addEventListener("click", function (event) {
      var choice = event.target.closest("[data-address-choice]");
      if (!choice) return;
      var place = addressForm.querySelector("[name$='location_text']");
      var latitude = addressForm.querySelector("[name$='latitude']");
      var longitude = addressForm.querySelector("[name$='longitude']");
      var lat = choice.getAttribute("data-latitude");
      var lon = choice.getAttribute("data-longitude");
      place.value = choice.getAttribute("data-label");
      // A point from an earlier choice or the location button belongs to another place.
      if (latitude) latitude.value = lat || "";
      if (longitude) longitude.value = lon || "";
      clearResults();
      addressStatus.textContent = addressSearch.getAttribute(
        lat && lon ? "data-chosen-point" : "data-chosen"
      );
      place.focus();
    });
  }

  document.querySelectorAll(".wb-category input[type=radio]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      document.querySelectorAll("[data-signals-for]").forEach(function (details) {
        details.open = details.getAttribute("data-signals-for") === radio.id;
      });
    });
  });

  var contact = document.querySelector("[data-contact-details]");
  var choices = document.querySelectorAll("input[type=radio][name$='anonymous']");
  if (contact && choices.length) {
    var showContact = function () {
      var anonymous = document.querySelector("input[type=radio][name$='anonymous'][value=anonymous]");
      var hide = !!(anonymous && anonymous.checked);
      contact.hidden = hide;
      contact.disabled = hide;
    };
    choices.forEach(function (choice) {
      choice.addEventListener("change", showContact);
    });
    showContact();
  }

  var copy = document.querySelector("[data-copy-code]");
  var code = document.querySelector(".wb-receipt-code");
  if (copy && code && navigator.clipboard && window.isSecureContext) {
    var copyStatus = document.querySelector("[data-copy-status]");
    copy.hidden = false;
    copy.addEventListener("click", function () {
      var text = code.textContent.replace(/\s+/g, "");
      navigator.clipboard.writeText(text).then(
        function () {
          if (copyStatus) copyStatus.textContent = copy.getAttribute("data-done");
        },
        function () {
          if (copyStatus) copyStatus.textContent = copy.getAttribute("data-failed");
        }
      );
    });
  }

  var print = document.querySelector("[data-print]");
  if (print && typeof window.print === "function") {
    print.hidden = false;
    print.addEventListener("click", function () {
      window.print();
    });
  }
})();
