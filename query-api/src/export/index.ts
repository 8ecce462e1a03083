export { exportCollapsed, frameLabel } from "./collapsed.js";
export { encodeProfile, exportPprof, type PprofOptions } from "./pprof.js";
export { exportSpeedscope, toSpeedscope, type SpeedscopeFile } from "./speedscope.js";
