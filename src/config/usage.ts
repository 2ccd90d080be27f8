/** The `--help` text: every option, its environment variable in brackets, and its default. */
export const usage = `Usage: rethinkql [options]

A GraphQL gateway over RethinkDB. With no RETHINKDB_URL it starts an embedded in-memory
database (reqlite) on a free loopback port.

Options (environment variable in brackets; flags win over the environment, which wins over
the config file):
  --config <file>          JSON file of settings in camelCase, e.g. {"port": 4000,
                           "rethinkdbUrl": "rethinkdb://db:28015/app"} [RETHINKQL_CONFIG]
  --host <addr>            address to listen on [HOST] (default 127.0.0.1)
  --port <n>               HTTP port, 0 = any free port [PORT] (default 4000)
  --graphql-path <path>    GraphQL endpoint path [GRAPHQL_PATH] (default /graphql)
  --rethinkdb-url <url>    rethinkdb://[user[:password]@]host[:port][/db] [RETHINKDB_URL]
                           (default: embedded reqlite; RDM aliases: ReDB_HOST, ReDB_PORT,
                           ReDB_USER, ReDB_PASS, ReDB_DEFAULT_DB)
  --db <name>              default database [RETHINKDB_DB] (default test)
  --default-limit <n>      rows per list query when no limit is given [DEFAULT_LIMIT] (default 100)
  --max-limit <n>          largest limit a client may ask for [MAX_LIMIT] (default 1000)
  --pool-size <n>          database connections for queries [POOL_SIZE] (default 4)
  --max-body-bytes <n>     largest request body [MAX_BODY_BYTES] (default 1048576)
  --db-wait-ms <n>         how long a query waits for the database while it is down,
                           then fails with UNAVAILABLE [DB_WAIT_MS] (default 5000)
  --subscriber-queue-size <n>
                           events a slow subscriber may have waiting before it is ended
                           (changes) or skips to the newest result (live)
                           [SUBSCRIBER_QUEUE_SIZE] (default 1000)
  --replay-window-events <n>
                           events each changes/liveChanges query keeps so reconnecting
                           clients can resume, 0 = resume always RESETs
                           [REPLAY_WINDOW_EVENTS] (default 1000)
  --replay-window-seconds <n>
                           oldest event kept for resuming [REPLAY_WINDOW_SECONDS]
                           (default 300)
  --resume-grace-seconds <n>
                           how long a changes/liveChanges query and its feed stay open
                           after the last subscriber left, so a reconnecting client can
                           resume; 0 = close at once [RESUME_GRACE_SECONDS] (default 60)
  --demo, --no-demo        seed a small leaderboard (boards, players) [DEMO]
                           (default: on with the embedded database only)

Typed per-table API (see README, "Typed API"):
  --models-file <file>     JSON file of declared models (types, required fields,
                           relations) for tables of the default database [MODELS_FILE]
                           (default: none, every table's type is inferred; with the demo
                           on, the demo leaderboard's models)
  --schema-sample-size <n> documents read per table to infer its type, 0 = none
                           [SCHEMA_SAMPLE_SIZE] (default 100)
  --schema-refresh-ms <n>  how often the table list is checked so the schema follows
                           created and dropped tables, 0 = never [SCHEMA_REFRESH_MS]
                           (default 5000)

Security and limits (see README, "Limits"):
  --production             production mode: GraphiQL, introspection and cross-origin
                           requests off unless enabled below [PRODUCTION] (also on with
                           NODE_ENV=production)
  --graphiql, --no-graphiql
                           serve GraphiQL [GRAPHIQL] (default: on, off in production)
  --introspection, --no-introspection
                           answer introspection queries; off also hides "Did you mean"
                           suggestions [INTROSPECTION] (default: on, off in production)
  --cors-origins <list>    comma-separated origins allowed by CORS, * = any, none = no
                           cross-origin requests [CORS_ORIGINS] (default: *, none in
                           production)
  --max-depth <n>          deepest field nesting of an operation [MAX_DEPTH] (default 12)
  --max-aliases <n>        most aliased fields in an operation [MAX_ALIASES] (default 100)
  --max-tokens <n>         most tokens in a GraphQL document [MAX_TOKENS] (default 5000)
  --max-cost <n>           highest operation cost [MAX_COST] (default 5000)
  --max-directives <n>     most directives in an operation [MAX_DIRECTIVES] (default 50)
  --max-rows <n>           most rows an operation may ask for: limits, ids and inserted
                           documents summed over its fields [MAX_ROWS] (default 10 x
                           MAX_LIMIT)

Authentication, permissions and rate limits (see README, "Security"):
  --auth-mode <mode>       none, api-key or jwt [AUTH_MODE] (default none: everyone is the
                           admin role; refused on a non-loopback address without --insecure)
  --insecure               allow AUTH_MODE=none on a non-loopback address [INSECURE]
                           API keys (environment or config file only, never a flag):
                           key:role,key:role or {"key":"role"} [API_KEYS]
                           HS256 secret, 32 bytes or more (environment or config file only)
                           [JWT_SECRET]
  --jwt-public-key-file <pem>
                           RS256/ES256 public key (SPKI PEM) [JWT_PUBLIC_KEY_FILE]
  --jwt-jwks-file <file>   JSON Web Key Set file [JWT_JWKS_FILE]
  --jwt-algorithms <list>  accepted algorithms [JWT_ALGORITHMS] (default HS256 with a
                           secret, RS256,ES256 with a key)
  --jwt-role-claim <path>  claim holding the role [JWT_ROLE_CLAIM] (default role)
  --jwt-user-claim <path>  claim holding the user id [JWT_USER_CLAIM] (default sub)
  --jwt-issuer <iss>       required issuer [JWT_ISSUER]
  --jwt-audience <aud>     required audience [JWT_AUDIENCE]
  --permissions <json>     per-role table rules (JSON; usually in the config file)
                           [PERMISSIONS] (default: only the admin role may do anything)
  --channels <json>        channel rules: kind, members, publishers per channel pattern
                           (JSON; usually in the config file) [CHANNELS] (default: only
                           the admin role may use channels)
  --rate-limit-per-key <n> requests per key or user per window, 0 = no limit
                           [RATE_LIMIT_PER_KEY] (default 0)
  --rate-limit-per-ip <n>  requests per client address per window, 0 = no limit
                           [RATE_LIMIT_PER_IP] (default 0)
  --rate-limit-window-ms <n>
                           rate-limit window [RATE_LIMIT_WINDOW_MS] (default 60000)
  --max-subscriptions-per-connection <n>
                           [MAX_SUBSCRIPTIONS_PER_CONNECTION] (default 100)
  --max-connections-per-key <n>
                           graphql-ws connections per key or user, 0 = no limit
                           [MAX_CONNECTIONS_PER_KEY] (default 100)

RDM compatibility (see docs/rdm.md):
  --ws-host <addr>         legacy RDM listener address [WS_HOST] (default: same as --host)
  --ws-port <n|off>        legacy RDM listener port, 0 = any free port, off = no listener
                           [WS_PORT] (default 8765)
  --no-rdm-audit           do not write the RDM audit trail [RDM_AUDIT=false]
  --rdm-audit-db <name>    audit trail database [RDM_AUDIT_DB] (default AUDIT;
                           RDM alias: ReDB_AUDIT_DB)
  --rdm-audit-table <name> audit trail table [RDM_AUDIT_TABLE] (default rethink_data_manager;
                           RDM alias: ReDB_AUDIT_TABLE)
  --rdm-max-rows <n>       most documents a get_all or filter reply holds [RDM_MAX_ROWS]
                           (default 100000)
Channels (publish/subscribe, see README):
  --events-db <name>       database of the channel events table [EVENTS_DB] (default rethinkql)
  --events-table <name>    channel events table, created if missing [EVENTS_TABLE]
                           (default events)
  --events-max-age <s>     delete channel events older than this [EVENTS_MAX_AGE]
                           (default 86400)
  --events-max-count <n>   keep at most this many channel events [EVENTS_MAX_COUNT]
                           (default 10000)
  --events-prune-interval-ms <ms>
                           how often retention is enforced, 0 = never
                           [EVENTS_PRUNE_INTERVAL_MS] (default 60000)
  -h, --help               print this help
`;
