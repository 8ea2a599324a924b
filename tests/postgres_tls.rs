//! PostgreSQL over TLS: `sslmode` in `database.url` reaches the driver (built with rustls), and
//! a server that cannot speak TLS is refused under `sslmode=require` instead of being used in
//! plain text. The plain server is a stand-in on a loopback port that answers the client's TLS
//! request with `N`, exactly as a PostgreSQL server without TLS does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::str::FromStr;

use contacts_graph::config::DatabaseConfig;
use contacts_graph::db;
use sea_orm::sqlx::postgres::{PgConnectOptions, PgSslMode};
use secrecy::SecretString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The first message of a client that wants TLS: length 8, code 80877103.
const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

#[test]
fn sslmode_in_the_url_reaches_the_driver() {
    for (url, mode) in [
        (
            "postgres://u@db.example/contacts?sslmode=require",
            PgSslMode::Require,
        ),
        (
            "postgres://u@db.example/contacts?sslmode=verify-full&sslrootcert=/etc/ssl/ca.pem",
            PgSslMode::VerifyFull,
        ),
        (
            "postgres://u@db.example/contacts?sslmode=verify-ca",
            PgSslMode::VerifyCa,
        ),
        ("postgres://u@db.example/contacts", PgSslMode::Prefer),
    ] {
        let options = PgConnectOptions::from_str(url).unwrap();
        assert_eq!(
            format!("{:?}", options.get_ssl_mode()),
            format!("{mode:?}"),
            "{url}"
        );
    }
}

/// A server that refuses TLS, then answers whatever comes next by hanging up. Returns its port
/// and what it saw first from each client.
async fn plain_server() -> (u16, tokio::sync::mpsc::UnboundedReceiver<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (seen, received) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut first = [0u8; 8];
                if socket.read_exact(&mut first).await.is_ok() {
                    let _ = seen.send(first.to_vec());
                    if first == SSL_REQUEST {
                        let _ = socket.write_all(b"N").await;
                        // a client that goes on in plain text sends its startup message here
                        let mut rest = [0u8; 64];
                        if let Ok(n) = socket.read(&mut rest).await
                            && n > 0
                        {
                            let _ = seen.send(b"plaintext startup".to_vec());
                        }
                    }
                }
            });
        }
    });
    (port, received)
}

fn config(url: String) -> DatabaseConfig {
    DatabaseConfig {
        url: SecretString::from(url),
        max_connections: 1,
        acquire_timeout_ms: 5_000,
        ..DatabaseConfig::default()
    }
}

#[tokio::test]
async fn sslmode_require_refuses_a_server_without_tls() {
    let (port, mut seen) = plain_server().await;
    let url = format!("postgres://postgres@127.0.0.1:{port}/contacts?sslmode=require");
    let err = db::connect(&config(url))
        .await
        .expect_err("must not connect in plain text");
    let text = format!("{:?}", err.internal_source());
    assert!(text.contains("does not support TLS"), "{text}");
    assert_eq!(
        seen.recv().await.unwrap(),
        SSL_REQUEST,
        "the client asked for TLS first"
    );
    assert!(
        seen.try_recv().is_err(),
        "and sent nothing in plain text after the refusal"
    );
}

#[tokio::test]
async fn sslmode_disable_talks_plain_text_to_the_same_server() {
    // The control: the stand-in does take plain-text clients, so the refusal above is TLS's.
    let (port, mut seen) = plain_server().await;
    let url = format!("postgres://postgres@127.0.0.1:{port}/contacts?sslmode=disable");
    assert!(
        db::connect(&config(url)).await.is_err(),
        "the stand-in hangs up"
    );
    let first = seen.recv().await.unwrap();
    assert_ne!(first, SSL_REQUEST, "a startup message, not a TLS request");
}
