export { launchMesh, type Mesh, type LaunchOptions, type SupervisorEvent } from './launcher';
export {
  settingsFromEnv,
  amqpUrlFrom,
  DEFAULT_PORTS,
  SERVICE_NAMES,
  type MeshSettings,
  type MeshPorts,
  type ServiceName,
} from './settings';
export { serviceSpecs, type ServiceSpec } from './service-specs';
export { freePorts } from './free-ports';
