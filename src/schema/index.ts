import { builder } from './builder.js';
import './scalars.js';
import './types.js';
import './documents.js';
import './mutations.js';
import './admin.js';
import './rdm.js';
import './subscriptions.js';
import './channels.js';

builder.queryType({ description: 'Reads: generic document queries over any database and table.' });
builder.mutationType({ description: 'Writes and administration.' });
builder.subscriptionType({ description: 'Live data from RethinkDB changefeeds, over graphql-ws (graphql-transport-ws) or SSE.' });

/** The executable schema. Importing it does not connect to anything. */
export const schema = builder.toSchema({ sortSchema: true });
