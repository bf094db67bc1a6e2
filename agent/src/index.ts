/** The door agent's public API, for the CLI, the admin site's virtual door and tests. */
export { createAgent, type AgentDeps, type AgentSettings, type AgentState, type DoorAgent } from './agent.js';
export {
  createAgentFromConfig,
  buildCamera,
  buildRelay,
  type AgentRuntime,
  type CreateAgentOptions,
} from './create-agent-from-config.js';
export { runAgent } from './main.js';
export {
  loadAgentConfig,
  parseAgentConfig,
  AgentConfigSchema,
  type AgentConfig,
  type AgentConfigInput,
} from './config.js';
export { CommandGuard, type GuardResult, type RejectReason } from './command-guard.js';
export { VisitPipeline, type VisitPipelineOptions, type VisitPipelineStats } from './visit/visit-pipeline.js';
export { VisitTracker, type VisitAction, type VisitSettings } from './visit/visit-tracker.js';
export { FaceGate, type FaceGateOptions, type GateVerdict, type GatedFace } from './face-gate/face-gate.js';
export { HumanFaceDetector } from './face-gate/human-face-detector.js';
export { IotDoorLink, type IotDoorLinkOptions } from './link/iot-door-link.js';
export * from './camera/index.js';
export * from './relay/index.js';
export * from './contact/index.js';
export { agentVersion } from './version.js';
export * from './ports/index.js';
