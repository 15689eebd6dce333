/* Draws every .zx-chart from the JSON at its data-url (see insights/charts.py Chart). SVG renderer: light
   on phones, crisp at any zoom. */
(function () {
  if (!window.echarts) return;
  var palette = ["#b71c1c", "#1565c0", "#2e7d32", "#f9a825", "#6a1b9a", "#00838f", "#5d4037", "#546e7a"];
  function zoom(n, axis) {
    if (n <= 15) return [];
    var end = Math.min(100, Math.round(15 / n * 100));
    var s = {type: "slider", start: 0, end: end, height: 14, bottom: 4};
    var i = {type: "inside", start: 0, end: end};
    if (axis === "y") { s = {type: "slider", yAxisIndex: 0, start: 0, end: end, width: 12, right: 2}; i = {type: "inside", yAxisIndex: 0, start: 0, end: end}; }
    return [s, i];
  }
  // Department names on an axis: without the Party body's suffix ("市发展改革委党组" -> "市发展改革委"), cut to
  // the room there is; the tooltip names the category in full.
  function shortName(value) {
    var text = String(value);
    return text.replace(/(机关党委|党组（党委）|党组|党委|党工委)$/, "") || text;
  }
  // A norm on the axis: what, without whom ("部门党组（党委）·中心组学习·党外列席" -> "中心组学习·党外列席").
  function afterKind(value) {
    var text = String(value), cut = text.indexOf("·");
    return cut >= 0 ? text.slice(cut + 1) : text;
  }
  function option(d, narrow) {
    var title = {text: d.title, left: "center", textStyle: {fontSize: 14}};
    if (d.kind === "empty" || !d.rows.length) {
      return {title: title, graphic: {type: "text", left: "center", top: "middle",
        style: {text: d.note || "暂无数据", fill: "#888", fontSize: 13, width: 260, overflow: "break"}}};
    }
    if (d.kind === "heatmap") {
      var xi = {}, yi = {};
      d.x.forEach(function (v, i) { xi[v] = i; });
      d.y.forEach(function (v, i) { yi[v] = i; });
      var data = d.rows.map(function (r) { return [xi[r[1]], yi[r[0]], r[2] === null ? "-" : r[2]]; });
      // Norms by what alone when that still tells every column apart (the tooltip names them in full).
      var shortX = d.x.map(afterKind);
      var xShort = shortX.every(function (v, i) { return shortX.indexOf(v) === i; });
      return {
        title: title, tooltip: {position: "top", confine: true, formatter: function (p) {
          var v = p.value[2];
          return d.y[p.value[1]] + "<br>" + d.x[p.value[0]] + "：" + (v === "-" ? "—" : v + (d.unit || ""));
        }},
        grid: {left: 8, right: 18, top: 44, bottom: 58, containLabel: true},
        xAxis: {type: "category", data: d.x, splitArea: {show: true}, axisLabel: {interval: 0, fontSize: 10, rotate: narrow ? 60 : 30,
          width: narrow ? 96 : 150, overflow: "truncate", formatter: xShort ? afterKind : undefined}},
        yAxis: {type: "category", data: d.y, splitArea: {show: true},
          axisLabel: {fontSize: 10, width: narrow ? 80 : 120, overflow: "truncate", formatter: shortName}},
        visualMap: {min: 0, max: 100, orient: "horizontal", left: "center", bottom: 0, itemHeight: 90, text: ["100%", "0"],
          inRange: {color: ["#c62828", "#fbc02d", "#2e7d32"]}},
        dataZoom: zoom(d.y.length, "y"),
        series: [{type: "heatmap", data: data, label: {show: d.x.length <= 6 && d.y.length <= 20, fontSize: 9}}]
      };
    }
    var cats = d.rows.map(function (r) { return r[0]; });
    var cols = d.kind === "bar" ? [1] : d.columns.slice(1).map(function (_c, i) { return i + 1; });
    var percentAxis = d.kind === "line" && cols.some(function (i) { return d.columns[i].indexOf("%") >= 0; })
      && cols.some(function (i) { return d.columns[i].indexOf("%") < 0; });
    var perBar = d.kind === "bar" && d.colors && d.colors.length === d.rows.length;
    var series = cols.map(function (i) {
      var isPercent = d.columns[i].indexOf("%") >= 0;
      return {
        name: d.columns[i], type: d.kind === "line" ? "line" : "bar", stack: d.kind === "stack" ? "total" : undefined,
        yAxisIndex: percentAxis && isPercent ? 1 : 0, barMaxWidth: 36,
        data: d.rows.map(function (r, n) {
          var v = r[i] === null ? "-" : r[i];
          return perBar ? {value: v, itemStyle: {color: d.colors[n]}} : v;
        })
      };
    });
    // Bars over names (departments, branches, people) lie down: every name readable, one per line, shortened;
    // months and other short categories stay upright.
    var horizontal = d.kind !== "line" && cats.some(function (c) { return String(c).length > 4; });
    var common = {
      title: title, color: (d.colors && d.colors.length && !perBar) ? d.colors : palette, tooltip: {trigger: "axis", confine: true},
      legend: {show: series.length > 1, bottom: cats.length > 15 && !horizontal ? 22 : 0, type: "scroll"}, series: series
    };
    if (horizontal) {
      series.forEach(function (s) { s.yAxisIndex = undefined; s.barMaxWidth = 18; });
      common.grid = {left: 8, right: cats.length > 15 ? 22 : 12, top: 44, bottom: series.length > 1 ? 28 : 8, containLabel: true};
      common.xAxis = {type: "value", minInterval: 1};
      common.yAxis = {type: "category", data: cats, inverse: true,
        axisLabel: {fontSize: 10, interval: 0, width: narrow ? 84 : 150, overflow: "truncate", formatter: shortName}};
      common.dataZoom = zoom(cats.length, "y");
      return common;
    }
    var yAxis = [{type: "value", minInterval: 1}];
    if (percentAxis) yAxis.push({type: "value", max: 100, axisLabel: {formatter: "{value}%"}});
    common.grid = {left: 8, right: 8, top: 44, bottom: (series.length > 1 ? 28 : 8) + (cats.length > 15 ? 22 : 0), containLabel: true};
    common.xAxis = {type: "category", data: cats, axisLabel: {fontSize: 10, hideOverlap: true}};
    common.yAxis = yAxis;
    common.dataZoom = zoom(cats.length, "x");
    return common;
  }
  var charts = [];
  document.querySelectorAll(".zx-chart[data-url]").forEach(function (el) {
    var chart = echarts.init(el, null, {renderer: "svg"});
    charts.push(chart);
    chart.showLoading({text: "加载中…"});
    fetch(el.dataset.url, {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (d) {
      chart.hideLoading();
      chart.setOption(option(d, el.clientWidth < 500));
      el.dataset.loaded = "1";
      var note = document.querySelector('.zx-chart-note[data-for="' + el.id + '"]');
      var text = d.kind !== "empty" ? (d.note || "") : "";
      if (d.computed_at) text += (text ? " " : "") + "数据计算于 " + d.computed_at + "。";
      if (note) note.textContent = text;
    }).catch(function () {
      chart.hideLoading();
      chart.setOption({graphic: {type: "text", left: "center", top: "middle", style: {text: "数据加载失败，请刷新重试。", fill: "#c62828"}}});
      el.dataset.loaded = "error";
    });
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
