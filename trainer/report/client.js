// Runs in the report page: draws the charts from the JSON in #report-data with the inlined ECharts.
// Plain browser JavaScript (no build step); every string from the data is escaped before it is shown.
(() => {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const encodeHtml = echarts.format.encodeHTML;
  const charts = [];

  /** A distinct colour per class, spread around the hue circle by the golden angle. */
  const colourOf = (classIndex) => `hsl(${Math.round((classIndex * 137.508) % 360)}, 62%, 46%)`;

  function chartIn(id, option) {
    const element = document.getElementById(id);
    if (!element) return;
    const chart = echarts.init(element, null, { renderer: 'canvas' });
    chart.setOption({ animation: false, ...option });
    charts.push(chart);
  }

  function lineChart(id, title, namedSeries) {
    chartIn(id, {
      title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0, type: 'scroll' },
      grid: { left: 60, right: 24, top: 40, bottom: 56 },
      xAxis: { type: 'value', name: 'step', nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'value', scale: true },
      series: namedSeries.map(([name, points]) => ({ name, type: 'line', showSymbol: false, data: points })),
    });
  }

  function mapChart(id, title, coordinates) {
    const { classes, maps } = data;
    const series = classes.map((c, classIndex) => ({
      name: c.name,
      type: 'scatter',
      symbolSize: 6,
      itemStyle: { color: colourOf(classIndex) },
      data: [],
    }));
    const seriesOfLabel = new Map(classes.map((c, classIndex) => [c.label, series[classIndex]]));
    maps.labels.forEach((label, point) => {
      const [x, y] = coordinates[point];
      seriesOfLabel.get(label).data.push([x, y, point]);
    });
    chartIn(id, {
      title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
      tooltip: {
        trigger: 'item',
        formatter: (p) => `<b>${encodeHtml(p.seriesName)}</b><br>${encodeHtml(maps.texts[p.data[2]])}`,
      },
      legend: { show: classes.length <= 20, bottom: 0, type: 'scroll' },
      grid: { left: 24, right: 24, top: 40, bottom: classes.length <= 20 ? 48 : 16 },
      xAxis: { type: 'value', show: false, scale: true },
      yAxis: { type: 'value', show: false, scale: true },
      series: series.filter((s) => s.data.length > 0),
    });
  }

  lineChart('chart-loss', 'Training loss', [['loss', data.curves.loss]]);
  const validation = Object.entries(data.curves.validation);
  if (validation.length > 0) lineChart('chart-validation', 'Validation metrics', validation);
  mapChart('map-tsne', 't-SNE', data.maps.tsne);
  mapChart('map-umap', 'UMAP', data.maps.umap);
  window.addEventListener('resize', () => {
    for (const chart of charts) chart.resize();
  });
})();
