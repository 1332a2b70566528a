export * from './model.js';
export { renderRecordSets, scaleWeights, type RenderOptions } from './render.js';
export { planDnsChanges, describeChange, type DnsPlan, type NameConflict } from './plan.js';
