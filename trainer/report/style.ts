/** The report's stylesheet: readable tables, two charts side by side, worst classes and misses in red. */
export const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 16px 24px; color: #1d2430; }
h1 { font-size: 22px; margin: 8px 0 0; }
h2 { font-size: 17px; border-bottom: 1px solid #d6dbe3; padding-bottom: 4px; margin-top: 28px; }
.note { color: #5b6675; }
/* Wide tables scroll inside the page instead of widening it. */
.wide { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 8px 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid #e6e9ee; text-align: right; }
th:first-child { text-align: left; }
thead th { background: #f4f6f9; }
tr.worst { background: #fdecec; }
.badge { background: #c62828; color: #fff; border-radius: 3px; font-size: 11px; padding: 0 4px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
.chart { flex: 1 1 480px; height: 320px; }
.map { flex: 1 1 520px; height: 520px; }
.example { border: 1px solid #e6e9ee; border-radius: 6px; padding: 8px 12px; margin: 10px 0; }
.example .query { font-weight: 600; }
.example ol { margin: 6px 0 0; padding-left: 24px; }
.example li.hit .mark { color: #2e7d32; }
.example li.miss .mark { color: #c62828; }
.class { display: inline-block; min-width: 90px; color: #5b6675; margin-right: 8px; }
.distance { color: #8a94a3; margin-left: 8px; font-size: 12px; }
.thumb { height: 48px; vertical-align: middle; margin-right: 8px; border-radius: 3px; }
pre { background: #f4f6f9; padding: 12px; overflow: auto; max-height: 420px; }
`;
