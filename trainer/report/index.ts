/** The run report: one self-contained HTML page with metrics, curves, embedding maps and examples. */
export { renderReport } from './render.ts';
export {
  parseReportData,
  type ReportData,
  type ReportDataInput,
  ReportDataSchema,
  reportDataToJson,
} from './schema.ts';
export { type TsneOptions, tsne } from './tsne.ts';
export { umap2d } from './umap.ts';
export { writeReport } from './write.ts';
