// Portal behaviour on top of DSFR and htmx. Loaded as a file (CSP: no inline script).
(function () {
  "use strict";
  // A request that fails shows a message instead of failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    var region = document.getElementById("portal-live-region");
    if (region) {
      region.textContent = region.dataset.errorMessage || "Error";
    }
  });
})();
