/**
 * A typed client of the demo leaderboard (run the gateway with the demo and
 * `--models-file examples/leaderboard/models.json`). The operations below are compiled by
 * `npm run codegen` into ./generated: each is a TypedDocumentNode, so results and variables are
 * checked by TypeScript, and carries its id (`__meta__.hash`, the key of ./generated/persisted-documents.json).
 * Run: `npx tsx examples/leaderboard/client.ts [http://localhost:4000/graphql] [ids]`; with `ids` it
 * sends only the documents' ids, as a gateway with `TRUSTED_DOCUMENTS=examples/leaderboard/generated`
 * requires.
 */
import { print, type ExecutionResult } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import type { ResultOf, TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import { graphql } from './generated/index.js';

/** The ten best players with their board (one query for the players, one for all their boards). */
export const TopPlayers = graphql(`
  query TopPlayers($limit: Int!) {
    players(orderBy: [{ field: score, direction: DESC }], limit: $limit) {
      id
      name
      score
      country
      board {
        name
      }
    }
  }
`);

/** A board and its players (the reverse relation of player.board). */
export const BoardWithPlayers = graphql(`
  query BoardWithPlayers($id: ID!) {
    board(id: $id) {
      name
      season
      players {
        name
        score
      }
    }
  }
`);

/** Adds points to a player; the patch is checked against the declared model before it is written. */
export const SetScore = graphql(`
  mutation SetScore($id: ID!, $score: Int!) {
    updatePlayer(id: $id, patch: { score: $score }) {
      id
      score
    }
  }
`);

/** The live top three: the whole ordered window again whenever it changes. */
export const LiveTopThree = graphql(`
  subscription LiveTopThree {
    playersLive(orderBy: [{ field: score, direction: DESC }], limit: 3) {
      documents {
        name
        score
      }
    }
  }
`);

/** How an operation travels: its text (`query`), or only its trusted-document id (`documentId`). */
export type Send = 'document' | 'id';

/** The id codegen gave a document (persisted documents, `__meta__.hash`); throws when it has none. */
export function documentIdOf(document: TypedDocumentNode<unknown, never>): string {
  const hash = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  if (typeof hash !== 'string') throw new Error('this document has no id: is it from ./generated (npm run codegen)?');
  return hash;
}

/** The operation part of a request or graphql-ws `subscribe` payload (graphql-ws requires a `query`: "" with an id). */
export function operationOf(document: TypedDocumentNode<unknown, never>, send: Send = 'document'): SubscribePayload & { documentId?: string } {
  return send === 'id' ? { query: '', documentId: documentIdOf(document) } : { query: print(document) };
}

/** POSTs a typed operation; the result's type follows from the document. Throws on GraphQL errors. */
export async function request<Result, Variables>(url: string, document: TypedDocumentNode<Result, Variables>, variables: Variables, send: Send = 'document'): Promise<Result> {
  const { query, documentId } = operationOf(document, send);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify(documentId === undefined ? { query, variables } : { documentId, variables }),
  });
  const body = (await response.json()) as ExecutionResult<Result>;
  if (body.errors?.length || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function main(url: string, send: Send): Promise<void> {
  const { players } = await request(url, TopPlayers, { limit: 10 }, send);
  for (const player of players) console.log(`${player.name} (${player.country ?? '?'}) ${player.score} on ${player.board?.name ?? '-'}`);
  const { board } = await request(url, BoardWithPlayers, { id: 'global' }, send);
  console.log(`${board?.name}: ${board?.players.length} players`);

  const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket });
  const live = client.iterate<ResultOf<typeof LiveTopThree>>(operationOf(LiveTopThree, send));
  const first = players[0];
  let updates = 0;
  for await (const result of live) {
    console.log('top three:', result.data?.playersLive.documents.map((p) => `${p.name} ${p.score}`).join(', '));
    if (++updates === 1 && first) await request(url, SetScore, { id: first.id, score: first.score + 1000 }, send);
    if (updates === 2) break;
  }
  await client.dispose();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv[2] ?? 'http://localhost:4000/graphql', process.argv[3] === 'ids' ? 'id' : 'document').catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
