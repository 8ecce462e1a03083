export { agentOptions, completeAgentConfig, defaultAgentConfig, type AgentConfig } from "./options.js";
export { runAgent, AGENT_USAGE } from "./run-agent.js";
export { startAgent, type AgentHandle, type AgentStatus, type ProcessStatus } from "./agent.js";
export { AGENT_VERSION } from "./version.js";
export { readSpeedscope, DEFAULT_OUTPUT_LIMITS, type OutputLimits } from "./pyspy/speedscope-reader.js";
export type { OutputCuts, OutputFrame, OutputStack, OutputThread, PySpyOutput } from "./pyspy/output.js";
export { PySpyRun, recordArgs, type PySpyResult, type PySpyRunOptions, type SamplingMode } from "./pyspy/run.js";
export { locatePySpy } from "./pyspy/locate.js";
export { deriveLabels, type ProcessLabels } from "./labels/labels.js";
