//! GraphQL over HTTP, as its specification and the `graphql-http` audit suite define it: which
//! media type an answer has, what a well-formed request is, and how a response is written.
//!
//! - `Accept` chooses between `application/graphql-response+json` and `application/json`
//!   (`*/*`, `application/*` and no `Accept` at all get `application/json`); an `Accept` that
//!   allows neither gets 406.
//! - A POST must be `application/json` (UTF-8). Anything else, a missing content type included,
//!   is refused with 415 before the body is read: `text/plain`, form and multipart bodies are
//!   what any web page can make a browser send without a CORS preflight, so none of them ever
//!   runs an operation (CSRF).
//! - A body is a JSON object (or, with batching on, an array of them) whose `query` is a string,
//!   `operationName` a string or null, `variables` and `extensions` objects or null; anything
//!   else is 400.

use async_graphql::{ServerError, Value};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::error::AppError;

/// The media type of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    /// `application/graphql-response+json`: request errors are 4xx and carry no `data`.
    GraphQLResponse,
    /// `application/json`, for clients that predate the specification: GraphQL errors are 200.
    Json,
}

impl MediaType {
    pub fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            MediaType::GraphQLResponse => "application/graphql-response+json; charset=utf-8",
            MediaType::Json => "application/json; charset=utf-8",
        })
    }
}

/// The `Accept` header allows no media type this server can answer with.
#[derive(Debug)]
pub struct NotAcceptable;

/// Chooses the response media type. The highest `q` wins; on a tie the newer
/// `application/graphql-response+json` is preferred.
pub fn negotiate(headers: &HeaderMap) -> Result<MediaType, NotAcceptable> {
    let accepts: Vec<&str> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .collect();
    if accepts.is_empty() {
        return Ok(MediaType::Json);
    }
    let mut best: Option<(f32, MediaType)> = None;
    for item in accepts {
        let mut parts = item.split(';').map(str::trim);
        let range = parts.next().unwrap_or_default().to_ascii_lowercase();
        let quality = parts
            .filter_map(|param| param.split_once('='))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
            .and_then(|(_, q)| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let media = match range.as_str() {
            "application/graphql-response+json" => MediaType::GraphQLResponse,
            "application/json" | "application/*" | "*/*" => MediaType::Json,
            _ => continue,
        };
        if quality <= 0.0 {
            continue;
        }
        let better = match best {
            None => true,
            Some((q, current)) => {
                quality > q
                    || (quality == q
                        && media == MediaType::GraphQLResponse
                        && current == MediaType::Json)
            }
        };
        if better {
            best = Some((quality, media));
        }
    }
    best.map(|(_, media)| media).ok_or(NotAcceptable)
}

/// Why a POST body is not even looked at.
#[derive(Debug, PartialEq, Eq)]
pub enum ContentTypeRefusal {
    Missing,
    /// A type a browser sends cross-origin without a preflight (CSRF).
    Simple(String),
    Unsupported(String),
    Charset(String),
}

impl ContentTypeRefusal {
    pub fn message(&self) -> String {
        match self {
            Self::Missing => "a POST needs `Content-Type: application/json`".to_owned(),
            Self::Simple(kind) => format!(
                "`{kind}` bodies are never run (any web page can send them, CSRF): send \
                 `Content-Type: application/json`"
            ),
            Self::Unsupported(kind) => {
                format!("unsupported content type `{kind}`: send `application/json`")
            }
            Self::Charset(charset) => {
                format!("unsupported charset `{charset}`: the body must be UTF-8")
            }
        }
    }
}

/// Accepts `application/json`, with no charset or UTF-8.
pub fn check_content_type(headers: &HeaderMap) -> Result<(), ContentTypeRefusal> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Err(ContentTypeRefusal::Missing);
    };
    let value = value
        .to_str()
        .map_err(|_| ContentTypeRefusal::Unsupported("(not text)".to_owned()))?;
    let mut parts = value.split(';').map(str::trim);
    let essence = parts.next().unwrap_or_default().to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => {}
        "" => return Err(ContentTypeRefusal::Missing),
        "text/plain" | "application/x-www-form-urlencoded" | "multipart/form-data" => {
            return Err(ContentTypeRefusal::Simple(essence));
        }
        _ => return Err(ContentTypeRefusal::Unsupported(essence)),
    }
    for param in parts {
        if let Some((name, charset)) = param.split_once('=')
            && name.trim().eq_ignore_ascii_case("charset")
        {
            let charset = charset.trim().trim_matches('"');
            if !charset.eq_ignore_ascii_case("utf-8") && !charset.eq_ignore_ascii_case("utf8") {
                return Err(ContentTypeRefusal::Charset(charset.to_owned()));
            }
        }
    }
    Ok(())
}

/// One operation as the client sent it, before persisted queries are looked up.
#[derive(Debug, Default, Clone)]
pub struct RawOperation {
    pub query: Option<String>,
    pub operation_name: Option<String>,
    pub variables: Map<String, Json>,
    pub extensions: Map<String, Json>,
}

/// A POST body: one operation, or a batch.
#[derive(Debug)]
pub enum Body {
    Single(RawOperation),
    Batch(Vec<RawOperation>),
}

/// Reads a POST body (already known to be JSON by its content type).
pub fn parse_body(bytes: &[u8]) -> Result<Body, AppError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::bad_input("the request has no body"));
    }
    let json: Json = serde_json::from_slice(bytes)
        .map_err(|err| AppError::bad_input(format!("the body is not valid JSON: {err}")))?;
    match json {
        Json::Object(object) => Ok(Body::Single(operation(object)?)),
        Json::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(index, item)| match item {
                Json::Object(object) => operation(object)
                    .map_err(|err| AppError::bad_input(format!("operation {index}: {err}"))),
                _ => Err(AppError::bad_input(format!(
                    "operation {index}: each operation of a batch must be a JSON object"
                ))),
            })
            .collect::<Result<_, _>>()
            .map(Body::Batch),
        _ => Err(AppError::bad_input(
            "the body must be a JSON object with a `query`",
        )),
    }
}

/// Reads the parameters of a GET: `query`, `operationName`, and `variables` and `extensions`
/// as JSON text.
pub fn parse_query_string(raw: Option<&str>) -> Result<RawOperation, AppError> {
    let mut object = Map::new();
    for (name, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let value = match name.as_ref() {
            "query" | "operationName" => Json::String(value.into_owned()),
            "variables" | "extensions" => serde_json::from_str(&value)
                .map_err(|err| AppError::bad_input(format!("`{name}` is not valid JSON: {err}")))?,
            _ => continue,
        };
        object.insert(name.into_owned(), value);
    }
    operation(object)
}

fn operation(mut object: Map<String, Json>) -> Result<RawOperation, AppError> {
    let query = match object.remove("query") {
        None | Some(Json::Null) => None,
        Some(Json::String(query)) => Some(query),
        Some(_) => return Err(AppError::bad_input("`query` must be a string")),
    };
    let operation_name = match object.remove("operationName") {
        None | Some(Json::Null) => None,
        Some(Json::String(name)) => Some(name),
        Some(_) => {
            return Err(AppError::bad_input(
                "`operationName` must be a string or null",
            ));
        }
    };
    let map = |name: &str, value: Option<Json>| match value {
        None | Some(Json::Null) => Ok(Map::new()),
        Some(Json::Object(map)) => Ok(map),
        Some(_) => Err(AppError::bad_input(format!(
            "`{name}` must be an object or null"
        ))),
    };
    let variables = map("variables", object.remove("variables"))?;
    let extensions = map("extensions", object.remove("extensions"))?;
    Ok(RawOperation {
        query,
        operation_name,
        variables,
        extensions,
    })
}

/// A GraphQL response body. `data` is present only when execution started (GraphQL spec 7.1.2:
/// a request error has no `data` entry); errors come first, as the spec recommends.
#[derive(Serialize)]
pub struct Answer<'a> {
    #[serde(skip_serializing_if = "<[ServerError]>::is_empty")]
    pub errors: &'a [ServerError],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<&'a Value>,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub extensions: &'a std::collections::BTreeMap<String, Value>,
}

/// A response with the negotiated content type; `body` is already JSON.
pub fn respond(status: StatusCode, media: MediaType, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, media.content_type());
    response
}

/// A response holding errors only.
pub fn errors_only(status: StatusCode, media: MediaType, errors: &[ServerError]) -> Response {
    let empty = std::collections::BTreeMap::new();
    let answer = Answer {
        errors,
        data: None,
        extensions: &empty,
    };
    respond(
        status,
        media,
        serde_json::to_vec(&answer).unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn accept(value: &str) -> Result<MediaType, NotAcceptable> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        negotiate(&headers)
    }

    #[test]
    fn accept_chooses_the_media_type() {
        assert_eq!(negotiate(&HeaderMap::new()).unwrap(), MediaType::Json);
        assert_eq!(accept("*/*").unwrap(), MediaType::Json);
        assert_eq!(accept("application/json").unwrap(), MediaType::Json);
        assert_eq!(
            accept("application/graphql-response+json").unwrap(),
            MediaType::GraphQLResponse
        );
        assert_eq!(
            accept("application/json, application/graphql-response+json").unwrap(),
            MediaType::GraphQLResponse
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0.5, application/json").unwrap(),
            MediaType::Json
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0, application/*;q=0.1").unwrap(),
            MediaType::Json
        );
        assert!(accept("text/html").is_err());
        assert!(accept("application/json;q=0").is_err());
    }

    #[test]
    fn only_utf8_json_is_read() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(value).unwrap());
            check_content_type(&headers)
        };
        assert!(with("application/json").is_ok());
        assert!(with("Application/JSON; charset=UTF-8").is_ok());
        assert_eq!(
            check_content_type(&HeaderMap::new()),
            Err(ContentTypeRefusal::Missing)
        );
        for simple in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
        ] {
            assert!(matches!(with(simple), Err(ContentTypeRefusal::Simple(_))));
        }
        assert!(matches!(
            with("application/graphql"),
            Err(ContentTypeRefusal::Unsupported(_))
        ));
        assert!(matches!(
            with("application/json; charset=latin1"),
            Err(ContentTypeRefusal::Charset(_))
        ));
    }

    #[test]
    fn bodies_must_have_the_right_shapes() {
        assert!(matches!(
            parse_body(br#"{"query":"{ a }","variables":null,"extensions":{"x":1}}"#).unwrap(),
            Body::Single(RawOperation { query: Some(_), .. })
        ));
        assert!(matches!(
            parse_body(br#"[{"query":"{ a }"},{"query":"{ b }"}]"#).unwrap(),
            Body::Batch(ops) if ops.len() == 2
        ));
        for bad in [
            &br#"{"query":{"obj":"ect"}}"#[..],
            br#"{"query":0}"#,
            br#"{"query":"{ a }","operationName":false}"#,
            br#"{"query":"{ a }","variables":"string"}"#,
            br#"{"query":"{ a }","variables":["array"]}"#,
            br#"{"query":"{ a }","extensions":0}"#,
            br#"[{"query":"{ a }"}, 1]"#,
            br#""query""#,
            br#"{ "not a JSON"#,
            b"  ",
        ] {
            assert!(parse_body(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn get_parameters_are_decoded() {
        let op = parse_query_string(Some(
            "query=query%20T(%24n%3A%20String!)%20%7B%20a%20%7D&variables=%7B%22n%22%3A%22x%22%7D&operationName=T",
        ))
        .unwrap();
        assert_eq!(op.query.as_deref(), Some("query T($n: String!) { a }"));
        assert_eq!(op.operation_name.as_deref(), Some("T"));
        assert_eq!(op.variables["n"], "x");
        assert!(parse_query_string(Some("query=%7Ba%7D&variables=%7Bnope")).is_err());
    }
}
