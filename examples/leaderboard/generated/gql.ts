/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query TopPlayers($limit: Int!) {\n    players(orderBy: [{ field: score, direction: DESC }], limit: $limit) {\n      id\n      name\n      score\n      country\n      board {\n        name\n      }\n    }\n  }\n": typeof types.TopPlayersDocument,
    "\n  query BoardWithPlayers($id: ID!) {\n    board(id: $id) {\n      name\n      season\n      players {\n        name\n        score\n      }\n    }\n  }\n": typeof types.BoardWithPlayersDocument,
    "\n  mutation SetScore($id: ID!, $score: Int!) {\n    updatePlayer(id: $id, patch: { score: $score }) {\n      id\n      score\n    }\n  }\n": typeof types.SetScoreDocument,
    "\n  subscription LiveTopThree {\n    playersLive(orderBy: [{ field: score, direction: DESC }], limit: 3) {\n      documents {\n        name\n        score\n      }\n    }\n  }\n": typeof types.LiveTopThreeDocument,
};
const documents: Documents = {
    "\n  query TopPlayers($limit: Int!) {\n    players(orderBy: [{ field: score, direction: DESC }], limit: $limit) {\n      id\n      name\n      score\n      country\n      board {\n        name\n      }\n    }\n  }\n": types.TopPlayersDocument,
    "\n  query BoardWithPlayers($id: ID!) {\n    board(id: $id) {\n      name\n      season\n      players {\n        name\n        score\n      }\n    }\n  }\n": types.BoardWithPlayersDocument,
    "\n  mutation SetScore($id: ID!, $score: Int!) {\n    updatePlayer(id: $id, patch: { score: $score }) {\n      id\n      score\n    }\n  }\n": types.SetScoreDocument,
    "\n  subscription LiveTopThree {\n    playersLive(orderBy: [{ field: score, direction: DESC }], limit: 3) {\n      documents {\n        name\n        score\n      }\n    }\n  }\n": types.LiveTopThreeDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TopPlayers($limit: Int!) {\n    players(orderBy: [{ field: score, direction: DESC }], limit: $limit) {\n      id\n      name\n      score\n      country\n      board {\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query TopPlayers($limit: Int!) {\n    players(orderBy: [{ field: score, direction: DESC }], limit: $limit) {\n      id\n      name\n      score\n      country\n      board {\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BoardWithPlayers($id: ID!) {\n    board(id: $id) {\n      name\n      season\n      players {\n        name\n        score\n      }\n    }\n  }\n"): (typeof documents)["\n  query BoardWithPlayers($id: ID!) {\n    board(id: $id) {\n      name\n      season\n      players {\n        name\n        score\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetScore($id: ID!, $score: Int!) {\n    updatePlayer(id: $id, patch: { score: $score }) {\n      id\n      score\n    }\n  }\n"): (typeof documents)["\n  mutation SetScore($id: ID!, $score: Int!) {\n    updatePlayer(id: $id, patch: { score: $score }) {\n      id\n      score\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LiveTopThree {\n    playersLive(orderBy: [{ field: score, direction: DESC }], limit: 3) {\n      documents {\n        name\n        score\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription LiveTopThree {\n    playersLive(orderBy: [{ field: score, direction: DESC }], limit: 3) {\n      documents {\n        name\n        score\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;