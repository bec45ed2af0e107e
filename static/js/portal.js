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

  // "Annuler" in a decision form opened inline: close it instead of leaving
  // the page (without JavaScript, or on the form's own page, it is a link).
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-portal-close]");
    if (!link) return;
    var editor = document.querySelector(link.dataset.portalClose);
    var slot = editor && editor.closest(".portal-editor-slot");
    if (!slot) return;
    event.preventDefault();
    var row = slot.closest("tr");
    slot.innerHTML = "";
    var opener = row && row.previousElementSibling && row.previousElementSibling.querySelector("a[hx-get]");
    if (opener) opener.focus();
  });

  // A decision form loaded inline takes the focus, so that keyboard and
  // screen-reader users land in it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.classList && target.classList.contains("portal-editor-slot")) {
      var field = target.querySelector("input:not([type=hidden]), select, textarea");
      if (field) field.focus();
    }
  });

  // Presentation of a session's decisions: ← and → go to the previous and next slide.
  document.addEventListener("keydown", function (event) {
    if (!document.querySelector("[data-portal-slides]")) return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") return;
    var link = document.querySelector('[data-portal-key="' + event.key + '"]');
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  });
})();
