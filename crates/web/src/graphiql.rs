//! GraphiQL served entirely by the binary: the page ([`page`]) and its vendored assets
//! ([`asset`], from `crates/web/assets/graphiql/`, versions and checksums in `VERSIONS.md`
//! there), so the IDE works on an intranet without internet access.
//!
//! The page holds no inline script or style: `graphiql-init.js` reads the endpoints from the
//! root element's `data-` attributes and starts GraphiQL the way async-graphql's
//! `GraphiQLSource` does (HTTP POST for queries and mutations; the WebSocket endpoint, protocol
//! `graphql-transport-ws`, for subscriptions, its URL built from `location` with `wss:` on an
//! https page). So a `Content-Security-Policy: script-src 'self'` works. GraphiQL's stylesheet
//! embeds its fonts as `data:` URLs, and the page's icon is `data:,` (no request for
//! `/favicon.ico`).

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// The files the page loads, in order: (name, bytes, content type).
static ASSETS: &[(&str, &[u8], &str)] = &[
    (
        "graphiql.min.css",
        include_bytes!("../assets/graphiql/graphiql.min.css"),
        CSS,
    ),
    (
        "react.production.min.js",
        include_bytes!("../assets/graphiql/react.production.min.js"),
        JS,
    ),
    (
        "react-dom.production.min.js",
        include_bytes!("../assets/graphiql/react-dom.production.min.js"),
        JS,
    ),
    (
        "graphiql.min.js",
        include_bytes!("../assets/graphiql/graphiql.min.js"),
        JS,
    ),
    (
        "graphiql-init.js",
        include_bytes!("../assets/graphiql/graphiql-init.js"),
        JS,
    ),
];

/// The GraphiQL page. `endpoint` takes queries and mutations (HTTP POST), `ws_endpoint`
/// subscriptions (WebSocket; empty for none); both may be paths (`/graphql`), resolved in the
/// browser against the page's address. The assets are loaded from `{asset_prefix}/<file>`
/// (e.g. `/assets/graphiql`), each answered by [`asset`].
pub fn page(endpoint: &str, ws_endpoint: &str, asset_prefix: &str) -> String {
    let prefix = escape(asset_prefix.trim_end_matches('/'));
    let endpoint = escape(endpoint);
    let ws = if ws_endpoint.is_empty() {
        String::new()
    } else {
        format!(r#" data-ws-endpoint="{}""#, escape(ws_endpoint))
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="robots" content="noindex">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="origin">
    <title>Mufakat GraphQL</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="{prefix}/graphiql.min.css">
    <script src="{prefix}/react.production.min.js"></script>
    <script src="{prefix}/react-dom.production.min.js"></script>
  </head>
  <body>
    <div id="graphiql" data-endpoint="{endpoint}"{ws}>Loading…</div>
    <noscript>GraphiQL needs JavaScript.</noscript>
    <script src="{prefix}/graphiql.min.js"></script>
    <script src="{prefix}/graphiql-init.js"></script>
  </body>
</html>
"#
    )
}

/// A vendored asset by file name (as in `{asset_prefix}/<file>`): its bytes and content type;
/// `None` for any other name.
pub fn asset(name: &str) -> Option<(&'static [u8], &'static str)> {
    ASSETS
        .iter()
        .find(|(file, _, _)| *file == name)
        .map(|&(_, bytes, content_type)| (bytes, content_type))
}

/// Escapes text for an HTML attribute value (quoted with `"`) or element content.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PREFIX: &str = "/assets/graphiql";

    /// The file names the page loads from `prefix` (in `src="…"` and `href="…"`).
    fn files_named(html: &str, prefix: &str) -> Vec<String> {
        let mut files = Vec::new();
        for attr in [r#"src=""#, r#"href=""#] {
            for (at, _) in html.match_indices(attr) {
                let value = &html[at + attr.len()..];
                let value = &value[..value.find('"').expect("a closed attribute")];
                if let Some(file) = value.strip_prefix(prefix).and_then(|v| v.strip_prefix('/')) {
                    files.push(file.to_string());
                }
            }
        }
        files
    }

    #[test]
    fn every_file_the_page_names_is_served() {
        let html = page("/graphql", "/graphql/ws", PREFIX);
        let files = files_named(&html, PREFIX);
        assert_eq!(files.len(), ASSETS.len(), "{files:?}");
        for file in &files {
            let (bytes, content_type) =
                asset(file).unwrap_or_else(|| panic!("{file} is not served"));
            assert!(!bytes.is_empty(), "{file} is empty");
            let expected = if file.ends_with(".css") { CSS } else { JS };
            assert_eq!(content_type, expected, "{file}");
        }
        // And nothing the page does not name.
        for (file, _, _) in ASSETS {
            assert!(
                files.iter().any(|f| f == file),
                "{file} is served but not loaded"
            );
        }
        assert_eq!(asset("VERSIONS.md"), None);
        assert_eq!(asset("../Cargo.toml"), None);
        assert_eq!(asset(""), None);
    }

    #[test]
    fn the_page_loads_nothing_from_another_host() {
        let html = page("/graphql", "/graphql/ws", PREFIX);
        assert!(!html.contains("http://"), "{html}");
        assert!(!html.contains("https://"), "{html}");
        assert!(!html.contains("//unpkg"), "{html}");
        // The only script is in files.
        assert_eq!(
            html.matches("<script").count(),
            html.matches("<script src=").count()
        );
        assert!(html.contains("<title>Mufakat GraphQL</title>"));
        let init = std::str::from_utf8(asset("graphiql-init.js").unwrap().0).unwrap();
        assert!(!init.contains("http://") && !init.contains("https://"));
    }

    #[test]
    fn the_endpoints_go_into_escaped_data_attributes() {
        let html = page("/graphql?a=1&b=\"2\"", "/graphql/ws", "/assets/graphiql/");
        assert!(html.contains(r#"data-endpoint="/graphql?a=1&amp;b=&quot;2&quot;""#));
        assert!(html.contains(r#"data-ws-endpoint="/graphql/ws""#));
        // A trailing slash on the prefix is not doubled.
        assert!(html.contains(r#"src="/assets/graphiql/graphiql.min.js""#));
        let hostile = page("\"><script>alert(1)</script>", "'x'", PREFIX);
        assert!(!hostile.contains("<script>alert"));
        assert!(hostile.contains("&lt;script&gt;") && hostile.contains("&#39;x&#39;"));
        // No WebSocket endpoint, no subscriptions.
        assert!(!page("/graphql", "", PREFIX).contains("data-ws-endpoint"));
    }

    #[test]
    fn the_vendored_files_are_listed_in_versions_md() {
        let versions = include_str!("../assets/graphiql/VERSIONS.md");
        for (file, _, _) in ASSETS {
            assert!(
                versions.contains(file),
                "{file} is missing from VERSIONS.md"
            );
        }
    }
}
