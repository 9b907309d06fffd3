// Progressive enhancement of the reporter pages; everything works without it.
// - "Use my current location" fills latitude/longitude from the browser (no map tiles, no
//   requests to anyone: the browser hands the position to this page only).
// - Choosing a category opens its "signals to recognise".
// - "Print this page" on the receipt.
(function () {
  "use strict";

  function round(value) {
    return (Math.round(value * 1e6) / 1e6).toFixed(6);
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

  document.querySelectorAll(".wb-category input[type=radio]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      document.querySelectorAll("[data-signals-for]").forEach(function (details) {
        details.open = details.getAttribute("data-signals-for") === radio.id;
      });
    });
  });

  var print = document.querySelector("[data-print]");
  if (print && typeof window.print === "function") {
    print.hidden = false;
    print.addEventListener("click", function () {
      window.print();
    });
  }
})();
