(function () {
  var el = document.getElementById("board-trend");
  if (!el || !window.echarts) return;
  var data = JSON.parse(document.getElementById("board-trend-data").textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis"},
    legend: {bottom: 0, data: ["滞后", "已逾期", "已销号", "按时完成率"]},
    grid: {left: 45, right: 45, top: 20, bottom: 50},
    xAxis: {type: "category", data: data.days},
    yAxis: [{type: "value", minInterval: 1, name: "任务"}, {type: "value", min: 0, max: 100, name: "%"}],
    series: [
      {name: "滞后", type: "line", data: data.behind},
      {name: "已逾期", type: "line", data: data.overdue},
      {name: "已销号", type: "line", data: data.closed},
      {name: "按时完成率", type: "line", yAxisIndex: 1, data: data.rate}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
