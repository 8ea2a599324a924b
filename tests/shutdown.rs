//! Graceful shutdown of the real binary: on SIGTERM the listener closes at once (new
//! connections are refused), requests in flight finish, and the process exits; a request
//! longer than `server.shutdown_drain_secs` does not keep it alive.
//!
//! Requests are made slow by a trigger on `audit_entry` (a cross join counted in SQLite), and
//! are known to be in flight when `/metrics` shows their pooled connections in use.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BINARY: &str = env!("CARGO_BIN_EXE_contacts-graph");

struct Server {
    child: Child,
    address: String,
    token: String,
    log: Arc<Mutex<String>>,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Creates a key and a slow audit trigger (`rows`^3 combinations counted per audit row) in a new
/// SQLite database, then serves it on a free port.
async fn start(rows: u32, drain_secs: u64) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("drain.db").display()
    );
    let env = [
        ("DATABASE_URL", url.clone()),
        ("CONTACTS_GRAPH__SERVER__ADDRESS", "127.0.0.1:0".to_owned()),
        (
            "CONTACTS_GRAPH__SERVER__SHUTDOWN_DRAIN_SECS",
            drain_secs.to_string(),
        ),
        ("CONTACTS_GRAPH__RATE_LIMIT__ENABLED", "false".to_owned()),
        ("RUST_LOG", "info".to_owned()),
        ("NO_COLOR", "1".to_owned()),
    ];
    let created = Command::new(BINARY)
        .args(["apikey", "create", "--name", "drain", "--role", "admin"])
        .envs(env.clone())
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(created.stdout).unwrap();
    let token = stdout
        .lines()
        .find_map(|line| line.strip_prefix("token (shown this once): "))
        .unwrap_or_else(|| panic!("no token in {stdout}"))
        .to_owned();
    let db = Database::connect(&url).await.unwrap();
    for sql in [
        "CREATE TABLE slow_rows (x INTEGER)".to_owned(),
        format!(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {rows}) \
             INSERT INTO slow_rows SELECT x FROM c"
        ),
        "CREATE TRIGGER slow_audit AFTER INSERT ON audit_entry BEGIN \
         SELECT count(*) FROM slow_rows a, slow_rows b, slow_rows c; END"
            .to_owned(),
    ] {
        db.execute_unprepared(&sql).await.unwrap();
    }
    db.close().await.unwrap();

    let mut child = Command::new(BINARY)
        .arg("serve")
        .envs(env)
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let log = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                log.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let address = loop {
        let found = log.lock().unwrap().lines().find_map(|line| {
            let (_, rest) = line.split_once("on http://")?;
            rest.strip_suffix("/graphql").map(str::to_owned)
        });
        if let Some(address) = found {
            break address;
        }
        assert!(
            Instant::now() < deadline,
            "no address in {}",
            log.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    Server {
        child,
        address,
        token,
        log,
        _dir: dir,
    }
}

/// One HTTP/1.1 exchange on a new connection: the status and body, or the I/O error.
async fn exchange(address: String, request: String) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(&address).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status line in {answer:?}")))?;
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

fn post(server: &Server, query: &str) -> String {
    let body = serde_json::json!({ "query": query }).to_string();
    format!(
        "POST /graphql HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        server.address,
        server.token,
        body.len()
    )
}

/// Pooled connections in use, from `/metrics`.
async fn connections_in_use(server: &Server) -> u32 {
    let request = format!(
        "GET /metrics HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.address
    );
    let (_, body) = exchange(server.address.clone(), request).await.unwrap();
    body.lines()
        .find(|line| line.starts_with("contacts_graph_db_pool_connections{state=\"in_use\"}"))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse::<f64>().ok())
        .map_or(0, |value| value as u32)
}

fn sigterm(server: &Server) {
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

async fn wait_until_in_use(server: &Server, connections: u32) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while connections_in_use(server).await < connections {
        assert!(Instant::now() < deadline, "the requests never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn wait_for_exit(server: &mut Server, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "still running {within:?} after SIGTERM:\n{}",
            server.log.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_requests_in_flight_and_refuses_new_connections() {
    let mut server = start(320, 10).await;
    let create = |name: &str| {
        post(
            &server,
            &format!(
                r#"mutation {{ createAccount(input: {{ name: "{name}", isCustomer: true }}) {{ account {{ name }} }} }}"#
            ),
        )
    };
    let started = Instant::now();
    let in_flight: Vec<_> = ["First", "Second"]
        .into_iter()
        .map(|name| tokio::spawn(exchange(server.address.clone(), create(name))))
        .collect();
    // both are inside the server, one writing, one waiting for SQLite's write lock
    wait_until_in_use(&server, 2).await;
    sigterm(&server);
    let signalled = Instant::now();

    let mut refused = false;
    while signalled.elapsed() < Duration::from_secs(5) {
        if let Err(err) = TcpStream::connect(&server.address).await {
            // Refused once the listener is gone; reset when the attempt landed in the backlog of
            // a listener that closed before accepting it. Neither is served.
            assert!(
                matches!(
                    err.kind(),
                    std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::ConnectionReset
                ),
                "{err}"
            );
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(refused, "new connections were still accepted after SIGTERM");
    assert!(
        in_flight.iter().any(|request| !request.is_finished()),
        "the requests finished before the listener closed: make the trigger slower"
    );

    for (request, name) in in_flight.into_iter().zip(["First", "Second"]) {
        let (status, body) = request.await.unwrap().expect("answered, not cut off");
        assert_eq!(status, 200, "{body}");
        assert!(body.contains(&format!("\"name\":\"{name}\"")), "{body}");
    }
    eprintln!(
        "both requests answered {:?} after they started, {:?} after SIGTERM",
        started.elapsed(),
        signalled.elapsed()
    );
    let status = wait_for_exit(&mut server, Duration::from_secs(15));
    assert!(status.success(), "{status}");
    assert!(
        server
            .log
            .lock()
            .unwrap()
            .contains("every request finished"),
        "{}",
        server.log.lock().unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_longer_than_the_drain_time_does_not_hold_the_process() {
    // a trigger that counts for minutes; a drain of 1 s
    let mut server = start(3000, 1).await;
    let request = post(
        &server,
        r#"mutation { createAccount(input: { name: "Endless", isCustomer: true }) { account { id } } }"#,
    );
    let in_flight = tokio::spawn(exchange(server.address.clone(), request));
    wait_until_in_use(&server, 1).await;
    sigterm(&server);
    let signalled = Instant::now();
    let status = wait_for_exit(&mut server, Duration::from_secs(10));
    eprintln!("exited {:?} after SIGTERM", signalled.elapsed());
    assert!(status.success(), "{status}");
    assert!(
        server.log.lock().unwrap().contains("drain time over"),
        "{}",
        server.log.lock().unwrap()
    );
    // the cut request got no answer
    assert!(in_flight.await.unwrap().is_err());
}
