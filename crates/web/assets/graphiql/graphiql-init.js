// Mufakat: starts GraphiQL (loaded before this file from the same folder) without any inline
// script, so the page works under `Content-Security-Policy: script-src 'self'`.
// It reads its settings from the root element's data- attributes (written by
// crates/web/src/graphiql.rs):
//   data-endpoint      queries and mutations, sent with HTTP POST (default "/graphql")
//   data-ws-endpoint   subscriptions over WebSocket, protocol graphql-transport-ws (the graphql-ws
//                      client bundled in graphiql.min.js); absent or empty: no subscriptions
// It does what async-graphql 7's GraphiQLSource template does, with the same defaults
// (credentials 'same-origin', editor tools visible).
(function () {
  'use strict';

  var root = document.getElementById('graphiql');
  if (!root) return;

  // The page's layout, set here rather than in an inline <style> (a strict style-src would
  // block that): GraphiQL fills the window.
  document.documentElement.style.height = '100%';
  document.body.style.height = '100%';
  document.body.style.margin = '0';
  document.body.style.width = '100%';
  document.body.style.overflow = 'hidden';
  root.style.height = '100vh';

  var endpoint = root.getAttribute('data-endpoint') || '/graphql';
  var wsEndpoint = root.getAttribute('data-ws-endpoint') || '';

  // An endpoint is resolved against the page's own address, so the page works behind any host
  // name or port; the WebSocket one gets ws: or, on an https page, wss:.
  function createUrl(path, subscription) {
    var url = new URL(path, window.location.href);
    if (subscription) {
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    }
    return url.toString();
  }

  function customFetch(url, opts) {
    return fetch(url, Object.assign({}, opts || {}, { credentials: 'same-origin' }));
  }

  var options = { url: createUrl(endpoint, false), fetch: customFetch };
  if (wsEndpoint) {
    options.subscriptionUrl = createUrl(wsEndpoint, true);
  }

  root.textContent = '';
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher(options),
      defaultEditorToolsVisibility: true,
    })
  );
})();
