import type { Settings } from '../setting.js';
import { CHANNELS } from './channels.js';
import { CONFIG_FILE, GENERAL } from './general.js';
import { LIMITS } from './limits.js';
import { MODELS } from './models.js';
import { RDM } from './rdm.js';
import { SECURITY } from './security.js';
import { TRACING } from './tracing.js';
import { TRUSTED_DOCUMENTS } from './trusted-documents.js';

export { CHANNELS, CONFIG_FILE, GENERAL, LIMITS, MODELS, RDM, SECURITY, TRACING, TRUSTED_DOCUMENTS };

/** A group of settings under one heading of the help. */
export interface Section {
  readonly title: string;
  readonly settings: Settings;
}

/** Every setting, in the order of the help (which is also the order config-file keys are listed in). */
export const SECTIONS: readonly Section[] = [
  {
    title: 'Options (environment variable in brackets; flags win over the environment, which wins over\nthe config file):',
    settings: { ...CONFIG_FILE, ...GENERAL },
  },
  { title: 'Typed per-table API (see README, "Typed API"):', settings: MODELS },
  { title: 'Security and limits (see README, "Limits"):', settings: LIMITS },
  { title: 'Authentication, permissions and rate limits (see README, "Security"):', settings: SECURITY },
  { title: 'Trusted documents (see README, "Trusted documents"):', settings: TRUSTED_DOCUMENTS },
  { title: 'RDM compatibility (see docs/rdm.md):', settings: RDM },
  { title: 'Channels (publish/subscribe, see README):', settings: CHANNELS },
  { title: 'OpenTelemetry traces (see README, "Tracing"; the SDK reads the other OTEL_* variables):', settings: TRACING },
];

/** The settings that become fields of Config as they are (or through a rule in config.ts). */
export const TOP_LEVEL = { ...GENERAL, ...MODELS, ...LIMITS, ...RDM, ...CHANNELS, ...TRUSTED_DOCUMENTS };
