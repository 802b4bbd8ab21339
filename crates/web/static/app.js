// Cantiere: charts and maps drawn with Apache ECharts from the API's JSON.
// Every chart has its data in a table on the same page.
(function () {
  'use strict';
  var GROUPS = {
    'sviluppo armonico e integrato': '#00664a',
    'benessere analogico': '#004d99',
    'riscatto smart': '#8a4b00',
    'transizione da avviare': '#a61919'
  };
  function getJSON(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) { throw new Error(url + ': ' + r.status); }
      return r.json();
    });
  }
  function init(el) {
    var c = echarts.init(el);
    window.addEventListener('resize', function () { c.resize(); });
    el.setAttribute('data-ready', 'false');
    return c;
  }
  function done(el) { el.setAttribute('data-ready', 'true'); }

  function map(el) {
    var level = el.dataset.level;
    var chart = init(el);
    var index = el.dataset.index ? '?index=' + encodeURIComponent(el.dataset.index) : '';
    getJSON('/api/v1/geo/' + level + index).then(function (geo) {
      echarts.registerMap(level, geo);
      var props = {};
      geo.features.forEach(function (f) { props[f.properties.code] = f.properties; });
      var select = el.dataset.colourSelect ? document.getElementById(el.dataset.colourSelect) : null;
      function draw(by) {
        var data = geo.features.map(function (f) {
          var p = f.properties;
          var d = { name: p.code, value: p.score };
          if (by === 'group' && p.group) { d.itemStyle = { areaColor: GROUPS[p.group] }; }
          return d;
        });
        chart.setOption({
          tooltip: {
            trigger: 'item',
            formatter: function (x) {
              var p = props[x.name] || {};
              return (p.name || x.name) + ': ' + (p.score == null ? '—' : p.score) + (p.group ? '<br>' + p.group : '');
            }
          },
          visualMap: by === 'group' ? { show: false, min: 0, max: 100, inRange: { color: ['#ccc', '#ccc'] } } : {
            min: 0, max: 100, left: 'left', bottom: 10, calculable: true,
            inRange: { color: ['#f0f4f8', '#99c2ff', '#004d99'] }
          },
          series: [{
            type: 'map', map: level, nameProperty: 'code', roam: true, data: data,
            itemStyle: { borderColor: '#fff', borderWidth: level === 'comune' ? 0.1 : 0.8 },
            emphasis: { label: { show: false } }, selectedMode: false
          }]
        }, true);
        if (level === 'comune' || level === 'provincia') {
          chart.off('click');
          chart.on('click', function (x) {
            if (level === 'comune') { window.location.href = '/' + el.dataset.lang + '/comuni/' + x.name; }
          });
        }
      }
      draw(select ? select.value : 'score');
      if (select) { select.addEventListener('change', function () { draw(select.value); }); }
      done(el);
    });
  }

  function scatter(el) {
    var chart = init(el);
    getJSON('/api/v1/municipalities').then(function (res) {
      var series = Object.keys(GROUPS).map(function (g) {
        return {
          name: g, type: 'scatter', symbolSize: 4, itemStyle: { color: GROUPS[g] }, large: true,
          data: res.municipalities.filter(function (m) { return m.group === g; })
            .map(function (m) { return [m.context, m.innovation, m.name]; })
        };
      });
      var tc = parseFloat(el.dataset.tc), ti = parseFloat(el.dataset.ti);
      series[0].markLine = { silent: true, symbol: 'none', lineStyle: { color: '#333', type: 'dashed' },
        data: [{ xAxis: tc }, { yAxis: ti }] };
      chart.setOption({
        legend: { top: 0 },
        tooltip: { formatter: function (x) { return x.value[2] + ': ' + x.value[0].toFixed(1) + ' / ' + x.value[1].toFixed(1); } },
        xAxis: { name: el.dataset.lang === 'en' ? 'Context' : 'Contesto', min: 0, max: 100 },
        yAxis: { name: el.dataset.lang === 'en' ? 'Innovation' : 'Innovazione', min: 0, max: 100 },
        series: series
      });
      done(el);
    });
  }

  function pillars(el) {
    var chart = init(el);
    Promise.all([getJSON('/api/v1/municipalities/' + el.dataset.code), getJSON('/api/v1/indicators')]).then(function (r) {
      var values = r[0].values, aggs = r[1].indicators.filter(function (i) { return i.level >= 2; }).reverse();
      chart.setOption({
        grid: { left: 260 },
        xAxis: { type: 'value', min: 0, max: 100 },
        yAxis: { type: 'category', data: aggs.map(function (a) { return a.name; }), inverse: true },
        series: [{ type: 'bar', itemStyle: { color: '#0066cc' },
          data: aggs.map(function (a) { var v = values[a.code]; return v ? v[1] : null; }) }]
      });
      done(el);
    });
  }

  // A comune's rank over the periods of its index, the rank interval as a
  // band (the 5th to 95th percentile under uncertainty), rank 1 on top.
  function series(el) {
    var chart = init(el);
    var index = el.dataset.index ? '?index=' + encodeURIComponent(el.dataset.index) : '';
    getJSON('/api/v1/municipalities/' + el.dataset.code + '/series' + index).then(function (points) {
      var en = el.dataset.lang === 'en', has = points.some(function (p) { return p.rank_low !== null; });
      var low = points.map(function (p) { return p.rank_low; });
      var width = points.map(function (p) { return p.rank_low === null ? null : p.rank_high - p.rank_low; });
      var list = [];
      if (has) {
        list.push({ type: 'line', data: low, stack: 'band', symbol: 'none', lineStyle: { opacity: 0 }, silent: true });
        list.push({ type: 'line', data: width, stack: 'band', symbol: 'none', lineStyle: { opacity: 0 },
          areaStyle: { color: '#0066cc', opacity: 0.15 }, silent: true, name: en ? 'Rank interval' : 'Intervallo' });
      }
      list.push({ type: 'line', name: en ? 'Rank' : 'Posizione', itemStyle: { color: '#0066cc' },
        data: points.map(function (p) { return p.rank; }) });
      chart.setOption({
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'category', data: points.map(function (p) { return p.period; }) },
        yAxis: { type: 'value', inverse: true, minInterval: 1, name: en ? 'Rank' : 'Posizione' },
        series: list
      });
      done(el);
    });
  }

  // Areas shaded by a number the page gives by area code (data-counts):
  // regions by how many administrations use a solution, provinces by the
  // share of comuni in a community (data-level, data-max, data-suffix).
  function counts(el) {
    var chart = init(el);
    var values = JSON.parse(el.dataset.counts || '{}');
    var level = el.dataset.level || 'regione', suffix = el.dataset.suffix || '';
    getJSON('/api/v1/geo/' + level).then(function (geo) {
      echarts.registerMap(level, geo);
      var names = {}, max = parseFloat(el.dataset.max || '1');
      geo.features.forEach(function (f) { names[f.properties.code] = f.properties.name; });
      Object.keys(values).forEach(function (k) { max = Math.max(max, values[k]); });
      var shown = geo.features.filter(function (f) { return !el.dataset.only || values[f.properties.code] !== undefined; });
      if (!shown.length) { el.style.display = 'none'; done(el); return; }
      echarts.registerMap(level + '-shown', { type: 'FeatureCollection', features: shown });
      chart.setOption({
        tooltip: { trigger: 'item', formatter: function (x) { return (names[x.name] || x.name) + ': ' + (values[x.name] || 0) + suffix; } },
        visualMap: { min: 0, max: max, left: 'left', bottom: 10, calculable: true, inRange: { color: ['#f0f4f8', '#99c2ff', '#004d99'] } },
        series: [{
          type: 'map', map: level + '-shown', nameProperty: 'code', roam: true, selectedMode: false,
          itemStyle: { borderColor: '#fff', borderWidth: 0.8 }, emphasis: { label: { show: false } },
          data: shown.map(function (f) { return { name: f.properties.code, value: values[f.properties.code] || 0 }; })
        }]
      }, true);
      done(el);
    });
  }

  var kinds = { map: map, scatter: scatter, pillars: pillars, series: series, adopters: counts, counts: counts };
  document.querySelectorAll('[data-chart]').forEach(function (el) {
    var f = kinds[el.dataset.chart];
    if (f && window.echarts) { f(el); }
  });
})();
