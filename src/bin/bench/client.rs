//! A minimal HTTP/1.1 client: one keep-alive connection per simulated client, so N clients are
//! exactly N connections and no pool decides when to open or reuse one.

use std::net::SocketAddr;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{ACCEPT_ENCODING, AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, HOST};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use serde::de::IgnoredAny;
use tokio::net::TcpStream;

use crate::BenchResult;

pub struct Client {
    sender: SendRequest<Full<Bytes>>,
    host: String,
    authorization: String,
}

/// What the load loop checks of every answer: an HTTP 200 without GraphQL errors. Skipping the
/// values keeps the client's share of the (shared) CPU small.
#[derive(Deserialize)]
struct Envelope {
    data: Option<IgnoredAny>,
    errors: Option<IgnoredAny>,
}

impl Client {
    /// A connection whose requests carry `token` as their bearer credential.
    pub async fn connect(address: SocketAddr, token: &str) -> BenchResult<Self> {
        let stream = TcpStream::connect(address).await?;
        // Requests are small and answered one at a time: don't let Nagle hold them back.
        stream.set_nodelay(true)?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            // Ends when the client is dropped; a broken connection shows up in `post` instead.
            let _ = connection.await;
        });
        Ok(Self {
            sender,
            host: address.to_string(),
            authorization: format!("Bearer {token}"),
        })
    }

    /// POSTs a GraphQL request body and returns the status and the whole response body.
    pub async fn post(&mut self, body: Bytes) -> BenchResult<(StatusCode, Bytes)> {
        self.send(Method::POST, "/graphql", body).await
    }

    /// Sends any request to `path` and returns the status and the whole response body.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Bytes,
    ) -> BenchResult<(StatusCode, Bytes)> {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, &self.host)
            .header(CONTENT_TYPE, "application/json")
            .header(AUTHORIZATION, &self.authorization)
            .body(Full::new(body))?;
        self.sender.ready().await?;
        let response = self.sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }

    /// POSTs with `Accept-Encoding: encoding`; returns the status, the `Content-Encoding` of the
    /// answer and its size as sent (not decompressed).
    pub async fn post_encoded(
        &mut self,
        body: Bytes,
        encoding: &str,
    ) -> BenchResult<(StatusCode, Option<String>, usize)> {
        let request = Request::post("/graphql")
            .header(HOST, &self.host)
            .header(CONTENT_TYPE, "application/json")
            .header(AUTHORIZATION, &self.authorization)
            .header(ACCEPT_ENCODING, encoding)
            .body(Full::new(body))?;
        self.sender.ready().await?;
        let response = self.sender.send_request(request).await?;
        let status = response.status();
        let sent_as = response
            .headers()
            .get(CONTENT_ENCODING)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, sent_as, body.len()))
    }

    /// POSTs and returns `data`, failing on any error: for gathering and calibration, where a
    /// wrong answer would make every number after it meaningless.
    pub async fn query(
        &mut self,
        query: &str,
        variables: serde_json::Value,
    ) -> BenchResult<serde_json::Value> {
        let body =
            serde_json::to_vec(&serde_json::json!({ "query": query, "variables": variables }))?;
        let (status, body) = self.post(Bytes::from(body)).await?;
        let mut reply: serde_json::Value = serde_json::from_slice(&body)?;
        if status != StatusCode::OK || reply.get("errors").is_some() {
            return Err(format!("HTTP {status}: {reply}").into());
        }
        Ok(reply["data"].take())
    }
}

/// Whether an answer counts as a success in the load loop.
pub fn is_success(status: StatusCode, body: &[u8]) -> bool {
    status == StatusCode::OK
        && serde_json::from_slice::<Envelope>(body)
            .is_ok_and(|reply| reply.data.is_some() && reply.errors.is_none())
}
