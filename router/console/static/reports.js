// Draws the report's figures with Chart.js: the data are the page's JSON block (#report-data), each
// figure drawn on the canvas naming its key. The same numbers stand in the table beside each chart.
(function () {
  "use strict";
  var COLOURS = ["#1f5fbf", "#b3261e", "#1d7a46", "#a86400", "#6a4fb3", "#3a5a8c", "#8a8f98"];
  var figures = JSON.parse(document.getElementById("report-data").textContent);

  function minutes(values) {
    return values.map(function (v) { return v === null ? null : Math.round(v / 6) / 10; });
  }

  function draw(figure) {
    var canvas = document.querySelector('canvas[data-figure="' + figure.key + '"]');
    if (!canvas) { return; }
    var seconds = figure.unit === "seconds";
    var doughnut = figure.chart === "doughnut";
    var datasets = figure.series.map(function (series, index) {
      return {
        label: seconds ? "minutes" : series.name,
        data: seconds ? minutes(series.values) : series.values,
        backgroundColor: doughnut ? COLOURS.slice(0, series.values.length) : COLOURS[index % COLOURS.length]
      };
    });
    var options = { animation: false, responsive: true, maintainAspectRatio: false,
                    plugins: { legend: { display: doughnut || datasets.length > 1 } } };
    if (!doughnut) {
      options.scales = {
        x: { stacked: figure.stacked },
        y: { stacked: figure.stacked, beginAtZero: true,
             title: { display: true, text: figure.measure },
             ticks: seconds ? {} : { precision: 0 } }
      };
    }
    new Chart(canvas, { type: figure.chart, data: { labels: figure.labels, datasets: datasets }, options: options });
  }

  figures.forEach(draw);
})();
