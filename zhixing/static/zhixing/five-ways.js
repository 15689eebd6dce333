(function () {
  var box = document.getElementById("five-ways-charts");
  if (!box || !window.echarts) return;
  fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
    data.splits.forEach(function (s) {
      var el = box.querySelector('[data-split="' + s.key + '"]');
      if (!el) return;
      var chart = echarts.init(el);
      chart.setOption({
        title: {text: s.label, left: "center", textStyle: {fontSize: 14}},
        tooltip: {trigger: "axis"},
        legend: {bottom: 0, data: ["活动", "人次", "人数"]},
        grid: {left: 40, right: 10, top: 30, bottom: 40},
        xAxis: {type: "category", data: s.sides.map(function (d) { return d.label; })},
        yAxis: {type: "value", minInterval: 1},
        series: [
          {name: "活动", type: "bar", data: s.sides.map(function (d) { return d.activities; })},
          {name: "人次", type: "bar", data: s.sides.map(function (d) { return d.participants; })},
          {name: "人数", type: "bar", data: s.sides.map(function (d) { return d.people; })}
        ]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  });
})();
