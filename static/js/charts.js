// Declarative charts: <canvas data-chart="ID"> + a json_script element with id ID holding
// {"type": "bar"|"line", "labels": [...], "datasets": [{"label": "...", "data": ["1.50", ...]}], "unit": "EUR"}.
// Amounts arrive as decimal strings (never floats on the server); they become numbers only for drawing.
(function () {
  "use strict";
  const css = getComputedStyle(document.documentElement);
  const palette = ["--primary", "--success", "--warning", "--danger"].map(function (v) { return css.getPropertyValue(v).trim(); });

  function draw(canvas) {
    if (canvas.dataset.drawn || typeof Chart === "undefined") return;
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    const spec = JSON.parse(source.textContent);
    canvas.dataset.drawn = "1";
    const datasets = spec.datasets.map(function (d, i) {
      const colour = palette[i % palette.length] || "#2459d6";
      return {
        label: d.label, data: d.data.map(Number), borderColor: colour, backgroundColor: colour + (spec.type === "line" ? "22" : "cc"),
        fill: spec.type === "line", tension: 0.3, borderWidth: 2, pointRadius: 0, borderRadius: 4, maxBarThickness: 28,
      };
    });
    new Chart(canvas, {
      type: spec.type || "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { display: datasets.length > 1, position: "bottom" },
                   tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + c.formattedValue + (spec.unit ? " " + spec.unit : ""); } } } },
        scales: { x: { grid: { display: false }, ticks: { maxTicksLimit: 10, color: "#6b7686" } },
                  y: { beginAtZero: true, grid: { color: "#eef1f5" }, ticks: { precision: 0, color: "#6b7686" } } },
      },
    });
  }

  function drawAll(root) { (root || document).querySelectorAll("canvas[data-chart]").forEach(draw); }
  document.addEventListener("DOMContentLoaded", function () { drawAll(); });
  document.addEventListener("htmx:afterSwap", function (e) { drawAll(e.target); });
})();
