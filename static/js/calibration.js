// Calibration page charts: residuals before/after against time and elevation, and biases with
// one-sigma error bars over successive runs. Data come from the page's JSON script elements.
(function () {
  "use strict";

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function canvas(parent, title) {
    var figure = document.createElement("figure");
    figure.className = "calibration-chart";
    var caption = document.createElement("figcaption");
    caption.textContent = title;
    var area = document.createElement("canvas");
    figure.appendChild(caption);
    figure.appendChild(area);
    parent.appendChild(figure);
    return area;
  }

  function scatter(area, xLabel, yLabel, series) {
    return new window.Chart(area, {
      type: "scatter",
      data: { datasets: series },
      options: {
        animation: false,
        parsing: false,
        scales: {
          x: { title: { display: true, text: xLabel } },
          y: { title: { display: true, text: yLabel } },
        },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  function points(xs, ys, keep) {
    var out = [];
    for (var i = 0; i < xs.length; i++) {
      if (keep(i)) out.push({ x: xs[i], y: ys[i] });
    }
    return out;
  }

  function hours(t0) {
    return function (t) { return (t - t0) / 3600; };
  }

  function draw() {
    var root = document.getElementById("calibration-charts");
    if (!root || typeof window.Chart === "undefined") return;
    var samples = data("calibration-samples") || {};
    var history = data("calibration-history") || {};
    var fallback = root.querySelector(".charts-fallback");
    if (fallback) fallback.remove();
    Object.keys(samples).forEach(function (name) {
      var s = samples[name];
      var t0 = Math.min.apply(null, s.t);
      var th = s.t.map(hours(t0));
      var used = function (i) { return !s.outlier[i]; };
      var rejected = function (i) { return s.outlier[i]; };
      scatter(canvas(root, name + ": residual against time"), "hours from first observation", name, [
        { label: "before", data: points(th, s.before, used), pointRadius: 1.5 },
        { label: "after", data: points(th, s.after, used), pointRadius: 1.5 },
        { label: "rejected", data: points(th, s.before, rejected), pointRadius: 3, pointStyle: "crossRot" },
      ]);
      scatter(canvas(root, name + ": residual against elevation"), "elevation (deg)", name, [
        { label: "before", data: points(s.el, s.before, used), pointRadius: 1.5 },
        { label: "after", data: points(s.el, s.after, used), pointRadius: 1.5 },
      ]);
    });
    Object.keys(history).forEach(function (name) {
      var runs = history[name];
      var bias = runs.map(function (r) { return { x: r.t * 1000, y: r.bias }; });
      var bars = [];
      runs.forEach(function (r) {
        bars.push({ x: r.t * 1000, y: r.bias - r.sigma });
        bars.push({ x: r.t * 1000, y: r.bias + r.sigma });
        bars.push({ x: NaN, y: NaN });
      });
      var area = canvas(root, name + ": bias over runs (± 1 sigma)");
      new window.Chart(area, {
        type: "scatter",
        data: {
          datasets: [
            { label: "bias", data: bias, pointRadius: 4 },
            { label: "± 1 sigma", data: bars, showLine: true, pointRadius: 0, spanGaps: false },
          ],
        },
        options: {
          animation: false,
          parsing: false,
          scales: {
            x: { title: { display: true, text: "end of run" }, ticks: { callback: function (v) { return new Date(v).toISOString().slice(0, 10); } } },
            y: { title: { display: true, text: name } },
          },
          plugins: { legend: { position: "bottom" } },
        },
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
