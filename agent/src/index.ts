export { agentOptions, completeAgentConfig, defaultAgentConfig, type AgentConfig } from "./options.js";
export { runAgent, AGENT_USAGE } from "./run-agent.js";
export { startAgent, type AgentHandle, type AgentStatus, type ProcessStatus } from "./agent.js";
export { AGENT_VERSION } from "./version.js";
export { parseRaw, parseRawLine, type ParsedRaw, type RawFrame, type RawStack } from "./pyspy/raw-parser.js";
export { PySpyRun, recordArgs, type PySpyResult, type PySpyRunOptions, type SamplingMode } from "./pyspy/run.js";
export { locatePySpy } from "./pyspy/locate.js";
export { deriveLabels, type ProcessLabels } from "./labels/labels.js";
