// Mounts GraphiQL into #graphiql. Kept out of index.html so that a strict
// Content-Security-Policy (script-src 'self') can be applied without
// 'unsafe-inline'. Expects the UMD globals React, ReactDOM (18) and GraphiQL (3).
(function () {
  'use strict';
  var DEFAULT_QUERY = [
    "# Welcome to contacts-graph. Every request needs an API key: put yours in the",
    "# Headers tab below (the admin key is printed in the server log at the first",
    "# start), then re-fetch the schema (the refresh icon on the left) and press the",
    "# run button (or Ctrl-Enter). The Docs panel (book icon) describes every field.",
    "{",
    "  accounts(first: 2) {",
    "    totalCount",
    "    edges {",
    "      node {",
    "        name",
    "        partner { name }",
    "        contacts(first: 2) {",
    "          totalCount",
    "          edges {",
    "            node {",
    "              firstName",
    "              lastName",
    "              identities { channel normalizedValue }",
    "              incidents(first: 1) {",
    "                edges { node { subject status primaryContact { lastName } } }",
    "              }",
    "            }",
    "          }",
    "        }",
    "      }",
    "    }",
    "  }",
    "}"
  ].join('\n');
  // Kept in this browser's local storage once edited, so the key is pasted once per browser.
  var DEFAULT_HEADERS = JSON.stringify(
    { Authorization: 'Bearer cgk_paste-your-api-key-here' }, null, 2);
  var fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: DEFAULT_QUERY,
      defaultHeaders: DEFAULT_HEADERS,
      defaultEditorToolsVisibility: 'headers',
      shouldPersistHeaders: true,
    }),
  );
})();
