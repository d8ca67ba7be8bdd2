// Bar charts of the dashboard, drawn with the vendored Chart.js from the numbers in the page.
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  ["grades", "rates"].forEach(function (id) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: canvas.dataset.labels.split(","),
        datasets: [{ label: "表数", data: canvas.dataset.values.split(",").map(Number), backgroundColor: "#8b1a1a" }],
      },
      options: { animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  });
})();
