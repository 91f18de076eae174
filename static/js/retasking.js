// Retasking pages: the SSN timeline (one row per sensor, one bar per booked track, coloured by
// the priority level of its request) and the what-if map (SSN sites and the proposed site on
// Natural Earth's land outline). Data come from the page's JSON script elements; without
// JavaScript the tables on the page hold the same information.
(function () {
  "use strict";

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function place(container) {
    var fallback = container.querySelector(".charts-fallback");
    if (fallback) fallback.remove();
    var canvas = document.createElement("canvas");
    container.appendChild(canvas);
    return canvas;
  }

  function utc(startMs, hours) {
    // "MM-DD HH:MM" in UTC: the portal speaks UTC whatever the browser's zone.
    return new Date(startMs + hours * 3600e3).toISOString().slice(5, 16).replace("T", " ");
  }

  function timeline() {
    var container = document.getElementById("ssn-timeline-chart");
    var chart = data("ssn-timeline-data");
    if (!container || !chart || !window.Chart || chart.tasks.length === 0) return;
    var startMs = Date.parse(chart.start);
    var levels = Object.keys(chart.colours);
    var datasets = levels.map(function (level) {
      return {
        label: "priority level " + level,
        backgroundColor: chart.colours[level],
        grouped: false,
        barPercentage: 0.8,
        data: chart.tasks
          .filter(function (t) { return String(t.level) === level; })
          .map(function (t) {
            return { x: [t.from / 3600, t.to / 3600], y: t.sensor, task: t };
          }),
      };
    });
    var canvas = place(container);
    container.style.height = Math.max(8, 2.2 * chart.sensors.length + 5) + "rem";
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: chart.sensors, datasets: datasets },
      options: {
        indexAxis: "y",
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: {
            min: 0,
            max: chart.hours,
            title: { display: true, text: "UTC" },
            ticks: { callback: function (value) { return utc(startMs, value); } },
          },
          y: { type: "category", labels: chart.sensors },
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                var t = item.raw.task;
                return t.request + (t.target === null ? "" : " · object " + t.target) + " · " + utc(startMs, t.from / 3600) +
                  "–" + utc(startMs, t.to / 3600).slice(6) + " · " + t.status;
              },
            },
          },
        },
      },
    });
  }

  function whatIfMap() {
    var container = document.getElementById("whatif-map");
    var sites = data("whatif-sites");
    var geo = window.ChartGeo;
    if (!container || !sites || !window.Chart || !geo) return;
    window.Chart.register(geo.BubbleMapController, geo.GeoFeature, geo.ProjectionScale, geo.SizeScale);
    fetch(container.dataset.land, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (topology) {
        var land = geo.topojson.feature(topology, topology.objects.land).features;
        var points = sites.network.map(function (s) {
          return { longitude: s.lon, latitude: s.lat, value: 1, label: s.number + " " + s.name };
        });
        var datasets = [{
          label: "SSN sites",
          outline: land,
          showOutline: true,
          outlineBackgroundColor: "#e8ecef",
          outlineBorderColor: "#9aa5ad",
          backgroundColor: "#1f5fa8",
          data: points,
        }];
        if (sites.proposed) {
          datasets.push({
            label: "proposed site",
            outline: land,
            backgroundColor: "#b00020",
            data: [{ longitude: sites.proposed.lon, latitude: sites.proposed.lat, value: 2, label: "proposed" }],
          });
        }
        var canvas = place(container);
        new window.Chart(canvas, {
          type: "bubbleMap",
          data: { labels: [], datasets: datasets },
          options: {
            animation: false,
            plugins: {
              legend: { display: true, position: "bottom" },
              tooltip: { callbacks: { label: function (item) { return item.raw.label; } } },
            },
            scales: {
              projection: { axis: "x", projection: "equalEarth" },
              size: { axis: "x", size: [4, 9], display: false },
            },
          },
        });
      })
      .catch(function () { /* the text fallback has already been replaced; the tables remain */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    timeline();
    whatIfMap();
  });
})();
