//! Metrics, browsers (CORS), compression and persisted queries over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Backend, TestApp, spawn_app, spawn_app_with};
use contacts_graph::http::persisted::sha256_hex;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

async fn raw(
    app: &TestApp,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, bytes.to_vec())
}

/// The value of one Prometheus sample, by metric name and label fragment.
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|line| line.starts_with(name) && !line.starts_with('#'))
        .find(|line| labels.iter().all(|label| line.contains(label)))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

both_backends!(
    metrics_count_requests_errors_statements_and_the_pool,
    |app| {
        // Operation names unique to this test: the recorder is shared by the test binary.
        let op = format!("MetricsProbe{}", app.backend as u8);
        // `counted` checks the key first, as every client's first request does
        let (_, statements) = app
            .counted(
                &format!("query {op} {{ accounts {{ totalCount }} }}"),
                json!({}),
            )
            .await;
        app.gql(
            &format!("query {op} {{ contact(id: \"x\") {{ id }} }}"),
            json!({}),
        )
        .await;
        let (status, headers, body) = app.get_as(None, "/metrics", "*/*").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        let text = String::from_utf8(body).unwrap();
        let operation = format!("operation=\"{op}\"");
        assert_eq!(
            sample(
                &text,
                "contacts_graph_graphql_requests_total",
                &[&operation, "outcome=\"ok\""]
            ),
            Some(1.0),
            "{text}"
        );
        assert_eq!(
            sample(
                &text,
                "contacts_graph_graphql_requests_total",
                &[&operation, "outcome=\"field_errors\""]
            ),
            Some(1.0)
        );
        assert!(
            sample(
                &text,
                "contacts_graph_graphql_errors_total",
                &["code=\"BAD_USER_INPUT\""]
            )
            .unwrap()
                >= 1.0
        );
        assert!(
            sample(
                &text,
                "contacts_graph_graphql_request_duration_seconds_count",
                &[&operation]
            )
            .unwrap()
                >= 1.0
        );
        // the statements the request issued, as the connection saw them (none for the bad id)
        assert!(statements.len() > 0);
        assert_eq!(
            sample(
                &text,
                "contacts_graph_sql_statements_per_request_sum",
                &[&operation]
            ),
            Some(statements.len() as f64),
            "{text}"
        );
        assert!(
            sample(
                &text,
                "contacts_graph_sql_statements_total",
                &["outcome=\"ok\""]
            )
            .unwrap()
                > 0.0
        );
        assert_eq!(
            sample(
                &text,
                "contacts_graph_db_pool_connections",
                &["state=\"max\""]
            ),
            Some(4.0)
        );
        assert!(
            sample(
                &text,
                "contacts_graph_db_pool_connections",
                &["state=\"idle\""]
            )
            .is_some()
        );
        assert!(
            sample(
                &text,
                "contacts_graph_db_pool_connections",
                &["state=\"in_use\""]
            )
            .is_some()
        );
    }
);

const ORIGIN: &str = "https://app.example.com";

async fn cors_app() -> TestApp {
    spawn_app_with(Backend::Sqlite, |config| {
        config.cors.allowed_origins = vec![ORIGIN.to_owned()];
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn browsers_on_allowed_origins_pass_the_preflight_without_a_key() {
    let app = cors_app().await;
    let preflight = |origin: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/graphql")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "authorization, content-type",
            )
            .body(Body::empty())
            .unwrap()
    };
    let (status, headers, _) = raw(&app, preflight(ORIGIN)).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], ORIGIN);
    let allowed = headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .unwrap();
    assert!(allowed.contains("authorization") && allowed.contains("content-type"));
    assert_eq!(headers[header::ACCESS_CONTROL_MAX_AGE], "600");
    assert!(
        headers
            .get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
            .is_none()
    );

    let (_, headers, _) = raw(&app, preflight("https://evil.example")).await;
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());

    // the actual request, and a refusal the page must be able to read
    let request = |token: &str| {
        Request::post("/graphql")
            .header(header::ORIGIN, ORIGIN)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(r#"{"query":"{ __typename }"}"#))
            .unwrap()
    };
    let (status, headers, _) = raw(&app, request(&app.keys.reader)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], ORIGIN);
    assert!(
        headers[header::ACCESS_CONTROL_EXPOSE_HEADERS]
            .to_str()
            .unwrap()
            .contains("x-request-id")
    );
    let (status, headers, _) = raw(&app, request("cgk_wrong")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], ORIGIN);
}

#[tokio::test]
async fn without_allowed_origins_no_cors_header_is_sent() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let request = Request::post("/graphql")
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {}", app.keys.reader))
        .body(Body::from(r#"{"query":"{ __typename }"}"#))
        .unwrap();
    let (status, headers, _) = raw(&app, request).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[tokio::test]
async fn answers_are_compressed_as_the_client_allows() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    // a large answer: the whole introspection
    let query = json!({ "query": "{ __schema { types { name description fields { name description } } } }" })
        .to_string();
    let request = |encoding: Option<&str>| {
        let mut request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {}", app.keys.reader));
        if let Some(encoding) = encoding {
            request = request.header(header::ACCEPT_ENCODING, encoding);
        }
        request.body(Body::from(query.clone())).unwrap()
    };
    let (_, headers, plain) = raw(&app, request(None)).await;
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
    let plain: Value = serde_json::from_slice(&plain).unwrap();
    let plain_len = plain.to_string().len();
    for (accept, expected) in [("gzip", "gzip"), ("br", "br"), ("br;q=0.5, gzip", "gzip")] {
        let (status, headers, body) = raw(&app, request(Some(accept))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_ENCODING], expected, "{accept}");
        assert!(
            body.len() * 4 < plain_len,
            "{accept}: {} of {plain_len} bytes",
            body.len()
        );
    }
}

async fn post(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/graphql-response+json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, _, bytes) = raw(app, request).await;
    (status, serde_json::from_slice(&bytes).unwrap())
}

both_backends!(automatic_persisted_queries_follow_apollos_protocol, |app| {
    let query = "query Persisted { accounts { totalCount } }";
    let hash = sha256_hex(query);
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    // 1. the hash alone: unknown yet
    let (status, body) = post(&app, &app.keys.reader, json!({ "extensions": extensions })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    // 2. hash and text: runs and registers
    let (status, body) = post(
        &app,
        &app.keys.reader,
        json!({ "query": query, "extensions": extensions }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["accounts"]["totalCount"], 0);
    // 3. the hash alone now runs, over POST and GET, for any key
    let (status, body) = post(&app, &app.keys.agent, json!({ "extensions": extensions })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["accounts"]["totalCount"], 0);
    let uri = format!(
        "/graphql?extensions={}",
        url::form_urlencoded::byte_serialize(extensions.to_string().as_bytes()).collect::<String>()
    );
    let (status, _, body) = app.get(&uri, "application/json").await;
    assert_eq!(status, StatusCode::OK);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["data"]["accounts"]["totalCount"], 0);
    // a hash that is not the text's
    let (status, body) = post(
        &app,
        &app.keys.reader,
        json!({ "query": "{ __typename }", "extensions": extensions }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
});

#[tokio::test]
async fn an_allow_list_holds_partner_keys_to_registered_documents() {
    let dir = tempfile::tempdir().unwrap();
    let listed = "query PartnerAccounts { accounts { totalCount } }";
    let file = dir.path().join("manifest.json");
    std::fs::write(
        &file,
        json!({
            "format": "apollo-persisted-query-manifest",
            "version": 1,
            "operations": [{ "id": sha256_hex(listed), "name": "PartnerAccounts", "type": "query", "body": listed }]
        })
        .to_string(),
    )
    .unwrap();
    let app = spawn_app_with(Backend::Sqlite, move |config| {
        config.persisted_queries.allow_list_file = Some(file);
        config.persisted_queries.allow_list_roles = vec!["reader".to_owned()];
    })
    .await
    .unwrap();
    let by_hash = json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha256_hex(listed) } } });
    let (status, body) = post(&app, &app.keys.reader, by_hash.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = post(&app, &app.keys.reader, json!({ "query": listed })).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the identical text is the registered document"
    );
    let (status, body) = post(&app, &app.keys.reader, json!({ "query": "{ __typename }" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "OPERATION_NOT_IN_ALLOW_LIST"
    );
    // roles not held to the list run anything
    let (status, _) = post(&app, &app.keys.admin, json!({ "query": "{ __typename }" })).await;
    assert_eq!(status, StatusCode::OK);
}

/// Collects what a `tracing` subscriber writes.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The log of this test binary: a global subscriber (a thread-local one misses events whose
/// callsites other tests' threads evaluated first), installed once; tests pick their own lines.
fn captured_logs() -> &'static Captured {
    static LOGS: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_max_level(tracing::Level::INFO)
            .with_writer(logs.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        logs
    })
}

#[tokio::test]
async fn every_request_logs_one_json_line_with_caller_operation_statements_and_outcome() {
    let logs = captured_logs();
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    app.gql_as(
        &app.keys.reader,
        "query LogProbe { accounts { totalCount } }",
        json!({}),
    )
    .await
    .data();
    let refused = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, "Bearer cgk_nope")
        .header("x-request-id", "log-probe-refused")
        .body(Body::from(r#"{"query":"{ __typename }"}"#))
        .unwrap();
    raw(&app, refused).await;

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .filter(|line: &Value| line["message"] == "graphql request")
        .collect();
    let ok: Vec<&Value> = lines
        .iter()
        .filter(|line| line["operation"] == "LogProbe")
        .collect();
    assert_eq!(ok.len(), 1, "{text}");
    let ok = ok[0];
    assert_eq!(ok["key"], "test-reader");
    assert_eq!(ok["outcome"], "ok");
    assert_eq!(ok["status"], 200);
    assert!(ok["statements"].as_u64().unwrap() >= 1, "{ok}");
    assert!(ok["duration_ms"].as_f64().unwrap() > 0.0);
    assert!(!ok["request_id"].as_str().unwrap().is_empty());
    let refused = lines
        .iter()
        .find(|line| line["request_id"] == "log-probe-refused")
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(refused["key"], "-");
    assert_eq!(refused["outcome"], "unauthenticated");
    assert_eq!(refused["status"], 401);
}
