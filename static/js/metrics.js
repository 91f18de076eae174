// Partner metrics: per SpOC, acceptance and fulfilment rates and delivery latency by month, and
// the spread of answer times. Data come from the page's "metrics-data" JSON element; the tables
// on the page hold the same figures without JavaScript.
(function () {
  "use strict";

  function chart(parent, title, config) {
    var figure = document.createElement("figure");
    figure.className = "metrics-chart";
    var caption = document.createElement("figcaption");
    caption.textContent = title;
    var canvas = document.createElement("canvas");
    figure.appendChild(caption);
    figure.appendChild(canvas);
    parent.appendChild(figure);
    config.options = Object.assign({ animation: false, plugins: { legend: { display: false } } }, config.options);
    return new window.Chart(canvas, config);
  }

  function bars(months, values, colour, unit, max) {
    return {
      type: "bar",
      data: { labels: months, datasets: [{ data: values, backgroundColor: colour }] },
      options: {
        scales: { y: { beginAtZero: true, max: max, title: { display: true, text: unit } } },
      },
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var node = document.getElementById("metrics-data");
    if (!node || !window.Chart) return;
    JSON.parse(node.textContent).forEach(function (panel) {
      var parent = document.getElementById(panel.id);
      if (!parent) return;
      var fallback = parent.querySelector(".charts-fallback");
      if (fallback) fallback.remove();
      chart(parent, "Acceptance rate by month", bars(panel.months, panel.acceptance, "#1f5fa8", "%", 100));
      chart(parent, "Fulfilment rate by month", bars(panel.months, panel.fulfilment, "#2e8b57", "%", 100));
      chart(parent, "Median delivery latency by month", bars(panel.months, panel.latency_min, "#8e6c00", "minutes"));
      chart(parent, "Answer times", {
        type: "bar",
        data: {
          labels: panel.histogram.map(function (b) { return b[0]; }),
          datasets: [{ data: panel.histogram.map(function (b) { return b[1]; }), backgroundColor: "#6a3d9a" }],
        },
        options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "requests" } } } },
      });
    });
  });
})();
