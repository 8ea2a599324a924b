// Mounts GraphiQL into #graphiql. Kept out of index.html so that a strict
// Content-Security-Policy (script-src 'self') can be applied without
// 'unsafe-inline'. Expects the UMD globals React, ReactDOM (18) and GraphiQL (3).
(function () {
  'use strict';
  var DEFAULT_QUERY = [
    "# Welcome to contacts-graph. Press the run button (or Ctrl-Enter).",
    "# The Docs panel (book icon) describes every type and field.",
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
  var fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: DEFAULT_QUERY,
    }),
  );
})();
