import { boolean, integer, portOrOff, settings, storageName, text } from '../setting.js';

/** The legacy Rethink Data Manager listener and its audit trail (docs/rdm.md). */
export const RDM = settings({
  wsHost: { arg: '<addr>', parse: text, fallback: undefined, help: ['legacy RDM listener address {env} (default: same as --host)'] },
  /** null: no legacy listener. */
  wsPort: {
    arg: '<n|off>',
    parse: portOrOff,
    fallback: 8765,
    help: ['legacy RDM listener port, 0 = any free port, off = no listener', '{env} (default {default})'],
  },
  rdmAudit: { switch: 'off', parse: boolean, fallback: true, help: ['do not write the RDM audit trail {env=false}'] },
  /** Created when missing. */
  rdmAuditDb: {
    arg: '<name>',
    aliases: ['ReDB_AUDIT_DB'],
    parse: storageName('database'),
    fallback: 'AUDIT',
    help: ['audit trail database {env} (default {default};', 'RDM alias: ReDB_AUDIT_DB)'],
  },
  /** Created when missing. */
  rdmAuditTable: {
    arg: '<name>',
    aliases: ['ReDB_AUDIT_TABLE'],
    parse: storageName('table'),
    fallback: 'rethink_data_manager',
    help: ['audit trail table {env} (default {default};', 'RDM alias: ReDB_AUDIT_TABLE)'],
  },
  /** More is an error reply, never a truncated list. */
  rdmMaxRows: {
    arg: '<n>',
    parse: integer(1, 10_000_000),
    fallback: 100_000,
    help: ['most documents a get_all or filter reply holds {env}', '(default {default})'],
  },
});
