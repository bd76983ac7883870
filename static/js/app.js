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
  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-toggle-sidebar]")) {
      document.getElementById("sidebar").classList.toggle("open");
    }
  });
})();
