export { queryApiOptions, withDefaults, DEFAULT_PORT, type QueryApiConfig } from "./options.js";
export { startQueryApi, type QueryApi, type StartOptions } from "./server.js";
export { runQueryApi } from "./run.js";
export { createQueryClient, createServiceClient, type CallOptions, type QueryClient, type QueryClientOptions, type ServiceClient } from "./grpc/client.js";
export { parseSelector, selectorToFilter, matchersToFilter, checkRegex, type Matcher, type MatchOp } from "./selector/index.js";
export { exportCollapsed, exportPprof, exportSpeedscope, encodeProfile } from "./export/index.js";
