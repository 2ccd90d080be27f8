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
    "\n  query PlayersPerBoard {\n    playersAggregate(groupBy: [board]) {\n      groups {\n        key {\n          board\n        }\n        count\n        ...Scores\n      }\n    }\n    aggregate(table: \"players\", groupBy: [\"board\"], fields: { sum: [\"score\"], avg: [\"score\"], min: [\"score\"], max: [\"score\"] }) {\n      groups {\n        key\n        count\n        sum\n        avg\n        min\n        max\n      }\n    }\n  }\n  fragment Scores on PlayerAggregateGroup {\n    sum {\n      score\n    }\n    avg {\n      score\n    }\n    min {\n      score\n    }\n    max {\n      score\n    }\n  }\n": typeof types.PlayersPerBoardDocument,
    "\n  query CountryCounts($where: PlayerWhere, $limit: Int) {\n    playersAggregate(where: $where, groupBy: [country], limit: $limit) {\n      groups {\n        key {\n          country\n          board\n        }\n        count\n      }\n    }\n  }\n": typeof types.CountryCountsDocument,
    "\n  subscription LiveBoardAverage {\n    playersLiveAggregate(where: { board: { eq: \"global\" } }) {\n      groups {\n        count\n        avg {\n          score\n        }\n      }\n    }\n  }\n": typeof types.LiveBoardAverageDocument,
    "\n  mutation SetScore($id: ID!, $score: Int!) {\n    updatePlayer(id: $id, patch: { score: $score }) {\n      id\n    }\n  }\n": typeof types.SetScoreDocument,
    "\n  query TopScorers($min: Int!) {\n    players(where: { score: { gt: $min } }, orderBy: [{ field: score, direction: DESC }]) {\n      id\n      name\n      score\n      board {\n        id\n        name\n      }\n    }\n    playersCount(where: { score: { gt: $min } })\n  }\n": typeof types.TopScorersDocument,
    "\n  query FilteredPlayers($before: DateTime!) {\n    fromGbOrNl: players(where: { or: [{ country: { eq: GB } }, { country: { in: [NL] } }] }, orderBy: [{ field: name }]) {\n      name\n      country\n    }\n    early: players(where: { joinedAt: { lt: $before } }, orderBy: [{ field: joinedAt, direction: DESC }]) {\n      name\n      joinedAt\n    }\n    notGlobal: players(where: { not: { board: { eq: \"global\" } } }, orderBy: [{ field: score }], limit: 2, offset: 1) {\n      name\n    }\n  }\n": typeof types.FilteredPlayersDocument,
    "\n  query BoardPlayers($id: ID!) {\n    board(id: $id) {\n      name\n      season\n      players {\n        id\n        name\n        board {\n          id\n        }\n      }\n    }\n    tables {\n      name\n      indexes\n    }\n  }\n": typeof types.BoardPlayersDocument,
    "\n  mutation AddPlayer($player: PlayerInput!) {\n    insertPlayer(document: $player) {\n      id\n      name\n      score\n      board {\n        name\n      }\n    }\n  }\n": typeof types.AddPlayerDocument,
    "\n  mutation AddPlayers($players: [PlayerInput!]!) {\n    insertPlayers(documents: $players) {\n      id\n    }\n  }\n": typeof types.AddPlayersDocument,
    "\n  mutation PatchPlayer($id: ID!, $patch: PlayerPatch!) {\n    updatePlayer(id: $id, patch: $patch) {\n      id\n      name\n      score\n    }\n  }\n": typeof types.PatchPlayerDocument,
    "\n  query PlayerCount($name: String!) {\n    playersCount(where: { name: { eq: $name } })\n    all: playersCount\n  }\n": typeof types.PlayerCountDocument,
    "\n  query Rosters($prefix: String!) {\n    players(where: { name: { startsWith: $prefix } }, limit: 1000) {\n      name\n      board {\n        name\n      }\n    }\n    boards {\n      id\n      players {\n        id\n      }\n    }\n  }\n": typeof types.RostersDocument,
    "\n  subscription LiveTop {\n    playersLive(orderBy: [{ field: score, direction: DESC }], limit: 3) {\n      documents {\n        name\n        score\n        board {\n          name\n        }\n      }\n    }\n  }\n": typeof types.LiveTopDocument,
    "\n  subscription WeeklyChanges {\n    playerChanges(where: { board: { eq: \"weekly\" } }) {\n      type\n      id\n      new {\n        name\n        score\n      }\n    }\n  }\n": typeof types.WeeklyChangesDocument,
    "\n  mutation AddToScore($id: ID!, $inc: JSONObject, $unset: [String!], $setIfMissing: JSONObject, $append: JSONObject) {\n    updatePlayer(id: $id, inc: $inc, unset: $unset, setIfMissing: $setIfMissing, append: $append) {\n      id\n      score\n      country\n      board {\n        name\n      }\n    }\n  }\n": typeof types.AddToScoreDocument,
    "\n  query PlayerScore($id: ID!) {\n    player(id: $id) {\n      score\n      name\n      country\n    }\n  }\n": typeof types.PlayerScoreDocument,
};
const documents: Documents = {
    "\n  query PlayersPerBoard {\n    playersAggregate(groupBy: [board]) {\n      groups {\n        key {\n          board\n        }\n        count\n        ...Scores\n      }\n    }\n    aggregate(table: \"players\", groupBy: [\"board\"], fields: { sum: [\"score\"], avg: [\"score\"], min: [\"score\"], max: [\"score\"] }) {\n      groups {\n        key\n        count\n        sum\n        avg\n        min\n        max\n      }\n    }\n  }\n  fragment Scores on PlayerAggregateGroup {\n    sum {\n      score\n    }\n    avg {\n      score\n    }\n    min {\n      score\n    }\n    max {\n      score\n    }\n  }\n": types.PlayersPerBoardDocument,
    "\n  query CountryCounts($where: PlayerWhere, $limit: Int) {\n    playersAggregate(where: $where, groupBy: [country], limit: $limit) {\n      groups {\n        key {\n          country\n          board\n        }\n        count\n      }\n    }\n  }\n": types.CountryCountsDocument,
    "\n  subscription LiveBoardAverage {\n    playersLiveAggregate(where: { board: { eq: \"global\" } }) {\n      groups {\n        count\n        avg {\n          score\n        }\n      }\n    }\n  }\n": types.LiveBoardAverageDocument,
    "\n  mutation SetScore($id: ID!, $score: Int!) {\n    updatePlayer(id: $id, patch: { score: $score }) {\n      id\n    }\n  }\n": types.SetScoreDocument,
    "\n  query TopScorers($min: Int!) {\n    players(where: { score: { gt: $min } }, orderBy: [{ field: score, direction: DESC }]) {\n      id\n      name\n      score\n      board {\n        id\n        name\n      }\n    }\n    playersCount(where: { score: { gt: $min } })\n  }\n": types.TopScorersDocument,
    "\n  query FilteredPlayers($before: DateTime!) {\n    fromGbOrNl: players(where: { or: [{ country: { eq: GB } }, { country: { in: [NL] } }] }, orderBy: [{ field: name }]) {\n      name\n      country\n    }\n    early: players(where: { joinedAt: { lt: $before } }, orderBy: [{ field: joinedAt, direction: DESC }]) {\n      name\n      joinedAt\n    }\n    notGlobal: players(where: { not: { board: { eq: \"global\" } } }, orderBy: [{ field: score }], limit: 2, offset: 1) {\n      name\n    }\n  }\n": types.FilteredPlayersDocument,
    "\n  query BoardPlayers($id: ID!) {\n    board(id: $id) {\n      name\n      season\n      players {\n        id\n        name\n        board {\n          id\n        }\n      }\n    }\n    tables {\n      name\n      indexes\n    }\n  }\n": types.BoardPlayersDocument,
    "\n  mutation AddPlayer($player: PlayerInput!) {\n    insertPlayer(document: $player) {\n      id\n      name\n      score\n      board {\n        name\n      }\n    }\n  }\n": types.AddPlayerDocument,
    "\n  mutation AddPlayers($players: [PlayerInput!]!) {\n    insertPlayers(documents: $players) {\n      id\n    }\n  }\n": types.AddPlayersDocument,
    "\n  mutation PatchPlayer($id: ID!, $patch: PlayerPatch!) {\n    updatePlayer(id: $id, patch: $patch) {\n      id\n      name\n      score\n    }\n  }\n": types.PatchPlayerDocument,
    "\n  query PlayerCount($name: String!) {\n    playersCount(where: { name: { eq: $name } })\n    all: playersCount\n  }\n": types.PlayerCountDocument,
    "\n  query Rosters($prefix: String!) {\n    players(where: { name: { startsWith: $prefix } }, limit: 1000) {\n      name\n      board {\n        name\n      }\n    }\n    boards {\n      id\n      players {\n        id\n      }\n    }\n  }\n": types.RostersDocument,
    "\n  subscription LiveTop {\n    playersLive(orderBy: [{ field: score, direction: DESC }], limit: 3) {\n      documents {\n        name\n        score\n        board {\n          name\n        }\n      }\n    }\n  }\n": types.LiveTopDocument,
    "\n  subscription WeeklyChanges {\n    playerChanges(where: { board: { eq: \"weekly\" } }) {\n      type\n      id\n      new {\n        name\n        score\n      }\n    }\n  }\n": types.WeeklyChangesDocument,
    "\n  mutation AddToScore($id: ID!, $inc: JSONObject, $unset: [String!], $setIfMissing: JSONObject, $append: JSONObject) {\n    updatePlayer(id: $id, inc: $inc, unset: $unset, setIfMissing: $setIfMissing, append: $append) {\n      id\n      score\n      country\n      board {\n        name\n      }\n    }\n  }\n": types.AddToScoreDocument,
    "\n  query PlayerScore($id: ID!) {\n    player(id: $id) {\n      score\n      name\n      country\n    }\n  }\n": types.PlayerScoreDocument,
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
export function graphql(source: "\n  query PlayersPerBoard {\n    playersAggregate(groupBy: [board]) {\n      groups {\n        key {\n          board\n        }\n        count\n        ...Scores\n      }\n    }\n    aggregate(table: \"players\", groupBy: [\"board\"], fields: { sum: [\"score\"], avg: [\"score\"], min: [\"score\"], max: [\"score\"] }) {\n      groups {\n        key\n        count\n        sum\n        avg\n        min\n        max\n      }\n    }\n  }\n  fragment Scores on PlayerAggregateGroup {\n    sum {\n      score\n    }\n    avg {\n      score\n    }\n    min {\n      score\n    }\n    max {\n      score\n    }\n  }\n"): (typeof documents)["\n  query PlayersPerBoard {\n    playersAggregate(groupBy: [board]) {\n      groups {\n        key {\n          board\n        }\n        count\n        ...Scores\n      }\n    }\n    aggregate(table: \"players\", groupBy: [\"board\"], fields: { sum: [\"score\"], avg: [\"score\"], min: [\"score\"], max: [\"score\"] }) {\n      groups {\n        key\n        count\n        sum\n        avg\n        min\n        max\n      }\n    }\n  }\n  fragment Scores on PlayerAggregateGroup {\n    sum {\n      score\n    }\n    avg {\n      score\n    }\n    min {\n      score\n    }\n    max {\n      score\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CountryCounts($where: PlayerWhere, $limit: Int) {\n    playersAggregate(where: $where, groupBy: [country], limit: $limit) {\n      groups {\n        key {\n          country\n          board\n        }\n        count\n      }\n    }\n  }\n"): (typeof documents)["\n  query CountryCounts($where: PlayerWhere, $limit: Int) {\n    playersAggregate(where: $where, groupBy: [country], limit: $limit) {\n      groups {\n        key {\n          country\n          board\n        }\n        count\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LiveBoardAverage {\n    playersLiveAggregate(where: { board: { eq: \"global\" } }) {\n      groups {\n        count\n        avg {\n          score\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription LiveBoardAverage {\n    playersLiveAggregate(where: { board: { eq: \"global\" } }) {\n      groups {\n        count\n        avg {\n          score\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetScore($id: ID!, $score: Int!) {\n    updatePlayer(id: $id, patch: { score: $score }) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation SetScore($id: ID!, $score: Int!) {\n    updatePlayer(id: $id, patch: { score: $score }) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TopScorers($min: Int!) {\n    players(where: { score: { gt: $min } }, orderBy: [{ field: score, direction: DESC }]) {\n      id\n      name\n      score\n      board {\n        id\n        name\n      }\n    }\n    playersCount(where: { score: { gt: $min } })\n  }\n"): (typeof documents)["\n  query TopScorers($min: Int!) {\n    players(where: { score: { gt: $min } }, orderBy: [{ field: score, direction: DESC }]) {\n      id\n      name\n      score\n      board {\n        id\n        name\n      }\n    }\n    playersCount(where: { score: { gt: $min } })\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FilteredPlayers($before: DateTime!) {\n    fromGbOrNl: players(where: { or: [{ country: { eq: GB } }, { country: { in: [NL] } }] }, orderBy: [{ field: name }]) {\n      name\n      country\n    }\n    early: players(where: { joinedAt: { lt: $before } }, orderBy: [{ field: joinedAt, direction: DESC }]) {\n      name\n      joinedAt\n    }\n    notGlobal: players(where: { not: { board: { eq: \"global\" } } }, orderBy: [{ field: score }], limit: 2, offset: 1) {\n      name\n    }\n  }\n"): (typeof documents)["\n  query FilteredPlayers($before: DateTime!) {\n    fromGbOrNl: players(where: { or: [{ country: { eq: GB } }, { country: { in: [NL] } }] }, orderBy: [{ field: name }]) {\n      name\n      country\n    }\n    early: players(where: { joinedAt: { lt: $before } }, orderBy: [{ field: joinedAt, direction: DESC }]) {\n      name\n      joinedAt\n    }\n    notGlobal: players(where: { not: { board: { eq: \"global\" } } }, orderBy: [{ field: score }], limit: 2, offset: 1) {\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BoardPlayers($id: ID!) {\n    board(id: $id) {\n      name\n      season\n      players {\n        id\n        name\n        board {\n          id\n        }\n      }\n    }\n    tables {\n      name\n      indexes\n    }\n  }\n"): (typeof documents)["\n  query BoardPlayers($id: ID!) {\n    board(id: $id) {\n      name\n      season\n      players {\n        id\n        name\n        board {\n          id\n        }\n      }\n    }\n    tables {\n      name\n      indexes\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddPlayer($player: PlayerInput!) {\n    insertPlayer(document: $player) {\n      id\n      name\n      score\n      board {\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AddPlayer($player: PlayerInput!) {\n    insertPlayer(document: $player) {\n      id\n      name\n      score\n      board {\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddPlayers($players: [PlayerInput!]!) {\n    insertPlayers(documents: $players) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation AddPlayers($players: [PlayerInput!]!) {\n    insertPlayers(documents: $players) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PatchPlayer($id: ID!, $patch: PlayerPatch!) {\n    updatePlayer(id: $id, patch: $patch) {\n      id\n      name\n      score\n    }\n  }\n"): (typeof documents)["\n  mutation PatchPlayer($id: ID!, $patch: PlayerPatch!) {\n    updatePlayer(id: $id, patch: $patch) {\n      id\n      name\n      score\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PlayerCount($name: String!) {\n    playersCount(where: { name: { eq: $name } })\n    all: playersCount\n  }\n"): (typeof documents)["\n  query PlayerCount($name: String!) {\n    playersCount(where: { name: { eq: $name } })\n    all: playersCount\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Rosters($prefix: String!) {\n    players(where: { name: { startsWith: $prefix } }, limit: 1000) {\n      name\n      board {\n        name\n      }\n    }\n    boards {\n      id\n      players {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  query Rosters($prefix: String!) {\n    players(where: { name: { startsWith: $prefix } }, limit: 1000) {\n      name\n      board {\n        name\n      }\n    }\n    boards {\n      id\n      players {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LiveTop {\n    playersLive(orderBy: [{ field: score, direction: DESC }], limit: 3) {\n      documents {\n        name\n        score\n        board {\n          name\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription LiveTop {\n    playersLive(orderBy: [{ field: score, direction: DESC }], limit: 3) {\n      documents {\n        name\n        score\n        board {\n          name\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WeeklyChanges {\n    playerChanges(where: { board: { eq: \"weekly\" } }) {\n      type\n      id\n      new {\n        name\n        score\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription WeeklyChanges {\n    playerChanges(where: { board: { eq: \"weekly\" } }) {\n      type\n      id\n      new {\n        name\n        score\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddToScore($id: ID!, $inc: JSONObject, $unset: [String!], $setIfMissing: JSONObject, $append: JSONObject) {\n    updatePlayer(id: $id, inc: $inc, unset: $unset, setIfMissing: $setIfMissing, append: $append) {\n      id\n      score\n      country\n      board {\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AddToScore($id: ID!, $inc: JSONObject, $unset: [String!], $setIfMissing: JSONObject, $append: JSONObject) {\n    updatePlayer(id: $id, inc: $inc, unset: $unset, setIfMissing: $setIfMissing, append: $append) {\n      id\n      score\n      country\n      board {\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PlayerScore($id: ID!) {\n    player(id: $id) {\n      score\n      name\n      country\n    }\n  }\n"): (typeof documents)["\n  query PlayerScore($id: ID!) {\n    player(id: $id) {\n      score\n      name\n      country\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;