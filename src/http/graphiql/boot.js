// Mounts GraphiQL into #graphiql. Kept out of index.html so that a strict
// Content-Security-Policy (script-src 'self') can be applied without
// 'unsafe-inline'. Expects the UMD globals React, ReactDOM (18) and GraphiQL (3).
(function () {
  'use strict';
  var DEFAULT_QUERY = '{ __typename }';
  var fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: DEFAULT_QUERY,
    }),
  );
})();
