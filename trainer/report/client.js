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

  /** Same and different pairs' scores as shares of their kind, side by side per score bin. */
  function scoreHistogramChart(id, { genuine, impostors, low, high }) {
    const width = (high - low) / genuine.length;
    const share = (counts) => {
      const total = counts.reduce((a, b) => a + b, 0) || 1;
      return counts.map((c, i) => [low + (i + 0.5) * width, c / total]);
    };
    chartIn(id, {
      title: { text: 'Test pair scores', left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 60, right: 24, top: 40, bottom: 56 },
      xAxis: { type: 'value', name: 'cosine', nameLocation: 'middle', nameGap: 28, min: low, max: high },
      yAxis: { type: 'value', name: 'share of pairs' },
      series: [
        { name: 'same', type: 'bar', barGap: '-100%', data: share(genuine), itemStyle: { opacity: 0.6 } },
        { name: 'different', type: 'bar', data: share(impostors), itemStyle: { opacity: 0.6 } },
      ],
    });
  }

  function rocChart(id, points) {
    chartIn(id, {
      title: { text: 'ROC (test pairs)', left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      grid: { left: 60, right: 24, top: 40, bottom: 56 },
      xAxis: {
        type: 'value',
        name: 'false-accept rate',
        nameLocation: 'middle',
        nameGap: 28,
        min: 0,
        max: 1,
      },
      yAxis: { type: 'value', name: 'true-accept rate', min: 0, max: 1 },
      series: [{ name: 'ROC', type: 'line', showSymbol: false, data: points }],
    });
  }

  lineChart('chart-loss', 'Training loss', [['loss', data.curves.loss]]);
  if (data.verification) {
    scoreHistogramChart('chart-verification-scores', data.verification.histograms);
    rocChart('chart-roc', data.verification.roc);
  }
  const validation = Object.entries(data.curves.validation);
  if (validation.length > 0) lineChart('chart-validation', 'Validation metrics', validation);
  mapChart('map-tsne', 't-SNE', data.maps.tsne);
  mapChart('map-umap', 'UMAP', data.maps.umap);
  window.addEventListener('resize', () => {
    for (const chart of charts) chart.resize();
  });
})();
