//! Self-hosted GraphiQL.
//!
//! The GraphiQL IDE and its React runtime are vendored under `graphiql/`
//! (see `graphiql/README.md` for versions and how to refresh them) and
//! compiled into the binary, so the IDE works on machines without internet
//! access and never pulls code from a third-party CDN at runtime.
//!
//! Mount [`router`] for the assets (`GET /graphiql/{file}`) and serve [`page`]
//! wherever the IDE should live; the page refers to the assets by absolute
//! paths under `/graphiql/` and sends queries to `/graphql`.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

/// The HTML shell. It contains no inline script (the boot code lives in
/// `boot.js`) so that a strict `script-src 'self'` CSP can be added later.
const INDEX_HTML: &str = include_str!("graphiql/index.html");

/// Assets change only when the binary changes, but their URLs are not
/// content-hashed; one day of caching saves re-downloading ~1.5 MB on every
/// visit while bounding how long a browser can keep a stale copy after an
/// upgrade.
const CACHE_CONTROL: &str = "public, max-age=86400";

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// One embedded file, served as `/graphiql/{name}`.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

/// Every file reachable under `/graphiql/`. A fixed table rather than a
/// directory lookup: request paths never touch the filesystem, so there is no
/// traversal surface, and anything not listed is a 404. The licence texts are
/// served because the MIT licences of the vendored code ask for the notice to
/// accompany copies we distribute.
const ASSETS: &[Asset] = &[
    Asset {
        name: "react.production.min.js",
        content_type: JAVASCRIPT,
        body: include_bytes!("graphiql/react.production.min.js"),
    },
    Asset {
        name: "react-dom.production.min.js",
        content_type: JAVASCRIPT,
        body: include_bytes!("graphiql/react-dom.production.min.js"),
    },
    Asset {
        name: "graphiql.min.js",
        content_type: JAVASCRIPT,
        body: include_bytes!("graphiql/graphiql.min.js"),
    },
    Asset {
        name: "graphiql.min.css",
        content_type: CSS,
        body: include_bytes!("graphiql/graphiql.min.css"),
    },
    Asset {
        name: "boot.js",
        content_type: JAVASCRIPT,
        body: include_bytes!("graphiql/boot.js"),
    },
    Asset {
        name: "LICENSE.graphiql",
        content_type: TEXT,
        body: include_bytes!("graphiql/LICENSE.graphiql"),
    },
    Asset {
        name: "LICENSE.react",
        content_type: TEXT,
        body: include_bytes!("graphiql/LICENSE.react"),
    },
    Asset {
        name: "LICENSE.react-dom",
        content_type: TEXT,
        body: include_bytes!("graphiql/LICENSE.react-dom"),
    },
];

/// Routes serving the embedded GraphiQL assets at `GET /graphiql/{file}`.
///
/// Generic over the state so it can be merged into the application router
/// whatever its state type is; the handler itself needs no state.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/graphiql/{file}", get(asset))
}

/// The GraphiQL page. Returned as-is: it is static and holds no per-request
/// data, so there is nothing to template or escape.
pub async fn page() -> Html<&'static str> {
    Html(INDEX_HTML)
}

/// Serves one entry of [`ASSETS`] by exact name, or 404.
async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == file) {
        Some(a) => (
            [
                (header::CONTENT_TYPE, a.content_type),
                (header::CACHE_CONTROL, CACHE_CONTROL),
                // The declared types are exact; stop browsers from guessing
                // (e.g. treating a licence text as script).
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            a.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn get_path(path: &str) -> Result<Response, Box<dyn std::error::Error>> {
        let req = Request::builder().uri(path).body(Body::empty())?;
        Ok(router::<()>().oneshot(req).await?)
    }

    #[tokio::test]
    async fn serves_every_asset_with_type_and_cache_headers()
    -> Result<(), Box<dyn std::error::Error>> {
        for a in ASSETS {
            let res = get_path(&format!("/graphiql/{}", a.name)).await?;
            assert_eq!(res.status(), StatusCode::OK, "{}", a.name);
            assert_eq!(res.headers()[header::CONTENT_TYPE], a.content_type);
            assert_eq!(res.headers()[header::CACHE_CONTROL], CACHE_CONTROL);
            let body = res.into_body().collect().await?.to_bytes();
            assert_eq!(&body[..], a.body, "{}", a.name);
        }
        Ok(())
    }

    #[tokio::test]
    async fn unknown_names_are_404() -> Result<(), Box<dyn std::error::Error>> {
        for path in [
            "/graphiql/nope.js",
            "/graphiql/index.html",
            "/graphiql/..%2FCargo.toml",
            "/graphiql/README.md",
        ] {
            assert_eq!(
                get_path(path).await?.status(),
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
        Ok(())
    }

    #[test]
    fn page_references_only_embedded_assets() {
        for src in INDEX_HTML
            .split(['"', '\''])
            .filter_map(|s| s.strip_prefix("/graphiql/"))
        {
            assert!(ASSETS.iter().any(|a| a.name == src), "missing asset {src}");
        }
        assert!(!INDEX_HTML.contains("http://") && !INDEX_HTML.contains("https://"));
    }

    #[tokio::test]
    async fn page_is_index_html() {
        assert_eq!(page().await.0, INDEX_HTML);
    }
}
