// The live leaderboard: one graphql-ws subscription to the top ten players, re-rendered on every
// result. Plain browser ES module, no build step; the graphql-ws client is served by the gateway
// from its own node_modules. All data reaches the DOM through textContent, never as HTML.
import { createClient } from './vendor/graphql-ws/client.js';

const LIMIT = 10;
const TOP_PLAYERS = `subscription TopPlayers($limit: Int!) {
  live(table: "players", orderBy: [{ field: "score", direction: DESC }], limit: $limit) { documents }
}`;

const status = document.getElementById('status');
const errorLine = document.getElementById('error');
const rows = document.querySelector('#leaderboard tbody');

/** Shows the connection state; `data-status` is what styles (and tests) look at. */
function setStatus(state, text) {
  status.dataset.status = state;
  status.textContent = text;
}

function showError(message) {
  errorLine.hidden = message === '';
  errorLine.textContent = message;
}

function cell(text, className) {
  const td = document.createElement('td');
  if (className) td.className = className;
  td.textContent = text;
  return td;
}

/** Rank and score of each player id in the last render: rows that moved or scored flash. */
let previous = new Map();

function render(players) {
  const next = new Map();
  const fresh = players.map((player, index) => {
    const id = String(player.id);
    const score = typeof player.score === 'number' ? player.score : Number(player.score ?? 0);
    const tr = document.createElement('tr');
    tr.dataset.id = id;
    tr.append(cell(String(index + 1), 'rank'), cell(String(player.name ?? id), 'name'), cell(String(player.country ?? ''), 'country'), cell(String(score), 'score'));
    const before = previous.get(id);
    if (previous.size > 0 && (!before || before.rank !== index || before.score !== score)) tr.className = 'changed';
    next.set(id, { rank: index, score });
    return tr;
  });
  rows.replaceChildren(...fresh);
  previous = next;
}

const { protocol, host } = window.location;
const client = createClient({
  url: `${protocol === 'https:' ? 'wss' : 'ws'}://${host}${document.body.dataset.graphqlPath}`,
  // A demo page should survive a gateway restart: keep retrying, backing off to at most 10 s.
  retryAttempts: Infinity,
  shouldRetry: () => true,
  retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** retries))),
  on: {
    connecting: (isRetry) => setStatus(isRetry ? 'reconnecting' : 'connecting', isRetry ? 'reconnecting…' : 'connecting…'),
    connected: () => setStatus('connected', 'connected, waiting for the first result…'),
    closed: () => setStatus('closed', 'disconnected'),
  },
});

client.subscribe(
  { query: TOP_PLAYERS, variables: { limit: LIMIT } },
  {
    next: (result) => {
      if (result.errors?.length) {
        showError(result.errors.map((e) => e.message).join('; '));
        return;
      }
      showError('');
      setStatus('live', 'live');
      render(result.data?.live?.documents ?? []);
    },
    error: (error) => {
      setStatus('error', 'error');
      showError(Array.isArray(error) ? error.map((e) => e.message).join('; ') : error instanceof Error ? error.message : 'the subscription failed');
    },
    complete: () => setStatus('closed', 'subscription ended'),
  },
);
