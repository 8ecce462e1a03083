export { createLogger, LogOnce, REDACT_PATHS, type Logger, type LoggerConfig } from "./logger.js";
export { errorMessage, settlesWithin, sleep } from "./async.js";
export { systemClock, type Clock, type Timer } from "./clock.js";
export { ErrorCode, FleetprofError, isFleetprofError } from "./errors.js";
export {
  camelName,
  defineOptions,
  describeOptions,
  envName,
  loadConfig,
  parseDuration,
  type ConfigOf,
  type LoadOptions,
  type Loaded,
  type OptionSchema,
  type OptionSpec,
  type OptionType,
} from "./config.js";
export { connectNats, dlqStreamConfig, DLQ_STREAM, ensureStreams, samplesStreamConfig, SAMPLES_STREAM, type StreamSettings } from "./nats.js";
export { isJetStreamError, isNoResponders, JetStreamErrorCode } from "./nats-errors.js";
export { onShutdown } from "./shutdown.js";
export { natsAuthOptions, natsConnectOptions, type NatsAuthConfig } from "./nats-auth.js";
export { Counter, Gauge, Histogram, readMetric, Registry, type CounterSeries, type GaugeSeries, type HistogramSeries, type LabelValues } from "./metrics.js";
