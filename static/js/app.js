// Small progressive enhancements; everything works without JavaScript.
(function () {
  "use strict";
  let pendingG = false;
  document.addEventListener("keydown", function (e) {
    const tag = (e.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || e.metaKey || e.ctrlKey || e.altKey) return;
    if (e.key === "/") {
      const search = document.querySelector("[data-hotkey='/']");
      if (search) { e.preventDefault(); search.focus(); search.select(); }
    } else if (e.key === "g") {
      pendingG = true; setTimeout(function () { pendingG = false; }, 800);
    } else if (pendingG && e.key === "h") {
      window.location.href = "/";
    }
  });
  // A filter bar sends (and so pushes into the address bar) only the filters that are set.
  document.addEventListener("htmx:configRequest", function (e) {
    if (e.detail.verb !== "get" || !e.detail.elt.matches("form.filters")) return;
    const params = e.detail.parameters;
    const form = e.detail.elt;
    Array.from(params.keys()).forEach(function (key) {
      // "" is "Any"; so is "unknown" in a yes/no select (Django's NullBooleanSelect).
      const anyValues = form.querySelector('select[name="' + key + '"] option[value="unknown"]') ? ["", "unknown"] : [""];
      if (params.getAll(key).every(function (v) { return anyValues.indexOf(v) !== -1; })) params.delete(key);
    });
  });
  // A fragment that cannot load says so instead of "Loading…" forever.
  document.addEventListener("htmx:responseError", function (e) {
    const target = e.detail.target;
    if (target && target.hasAttribute("data-loading")) {
      target.innerHTML = '<p class="muted">Could not load this section (' + e.detail.xhr.status + ").</p>";
    }
  });
  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-toggle-sidebar]")) {
      document.getElementById("sidebar").classList.toggle("open");
    }
  });
})();
