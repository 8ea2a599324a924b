//! When the database is slow, busy or gone: a timed-out request leaves no work running, an
//! exhausted pool answers at once, and readiness says so within a second.
//!
//! Slow statements come from a trigger the test puts on `audit_entry`: every mutation writes an
//! audit row, so the mutation's transaction stays open, holding SQLite's write lock (or
//! PostgreSQL's row locks), for as long as the trigger runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

mod common;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Backend, Reply, TestApp, spawn_app_with};
use contacts_graph::db;
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::{Value, json};
use tower::ServiceExt;

const CREATE: &str =
    r#"mutation { createAccount(input: { name: "Slow", isCustomer: true }) { account { id } } }"#;

/// Makes every audit insert take minutes (SQLite: a cross join of 3,000 rows three times;
/// PostgreSQL: `pg_sleep(60)`).
async fn make_audit_slow(app: &TestApp) {
    let statements: &[&str] = match app.backend {
        Backend::Sqlite => &[
            "CREATE TABLE slow_rows (x INTEGER)",
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000) \
             INSERT INTO slow_rows SELECT x FROM c",
            "CREATE TRIGGER slow_audit AFTER INSERT ON audit_entry BEGIN \
             SELECT count(*) FROM slow_rows a, slow_rows b, slow_rows c; END",
        ],
        Backend::Postgres => &[
            "CREATE FUNCTION slow_audit() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN PERFORM pg_sleep(60); RETURN NEW; END $$",
            "CREATE TRIGGER slow_audit AFTER INSERT ON audit_entry \
             FOR EACH ROW EXECUTE FUNCTION slow_audit()",
        ],
    };
    for sql in statements {
        app.db.execute_unprepared(sql).await.unwrap();
    }
}

async fn accounts_named_slow(app: &TestApp) -> i64 {
    let row = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM account WHERE name = 'Slow'",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// Takes the lock the slow mutation held: SQLite's write lock (`BEGIN IMMEDIATE`), or an
/// exclusive lock on `audit_entry` on PostgreSQL. Retries for at most `within`.
async fn take_the_writers_lock(app: &TestApp, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let attempt = async {
            let txn = db::begin_write(&app.db)
                .await
                .map_err(|err| err.to_string())?;
            if app.backend == Backend::Postgres {
                txn.execute_unprepared("LOCK TABLE audit_entry IN ACCESS EXCLUSIVE MODE NOWAIT")
                    .await
                    .map_err(|err| err.to_string())?;
            }
            txn.rollback().await.map_err(|err| err.to_string())
        };
        match attempt.await {
            Ok(()) => return started.elapsed(),
            Err(err) if started.elapsed() < within => {
                eprintln!("lock still held after {:?}: {err}", started.elapsed());
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(err) => panic!("the timed-out request's lock was never released: {err}"),
        }
    }
}

/// Statements of other sessions still running in the test's PostgreSQL database.
async fn running_statements(app: &TestApp) -> i64 {
    let row = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() \
             AND state = 'active' AND query LIKE '%audit_entry%'",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

async fn timeout_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |config| {
        config.server.request_timeout_secs = 1;
        config.database.statement_timeout_secs = 1;
    })
    .await
}

async fn a_timed_out_request_leaves_no_database_work_running(app: TestApp) {
    app.gql("{ __typename }", json!({})).await.data();
    make_audit_slow(&app).await;
    let started = Instant::now();
    let reply = app.gql(CREATE, json!({})).await;
    eprintln!("answered after {:?}", started.elapsed());
    assert_eq!(reply.status, StatusCode::GATEWAY_TIMEOUT, "{}", reply.body);
    assert_eq!(reply.error_code(), "REQUEST_TIMEOUT");
    // Without the statement timeout the trigger would run on for minutes, holding the lock.
    let waited = take_the_writers_lock(&app, Duration::from_secs(10)).await;
    eprintln!("the writer's lock was free {waited:?} after the answer");
    if app.backend == Backend::Postgres {
        let deadline = Instant::now() + Duration::from_secs(10);
        while running_statements(&app).await > 0 {
            assert!(Instant::now() < deadline, "a statement is still running");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    assert_eq!(
        accounts_named_slow(&app).await,
        0,
        "the write was rolled back"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_request_leaves_no_database_work_running_sqlite() {
    let app = timeout_app(Backend::Sqlite).await.unwrap();
    a_timed_out_request_leaves_no_database_work_running(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_request_leaves_no_database_work_running_postgres() {
    if let Some(app) = timeout_app(Backend::Postgres).await {
        a_timed_out_request_leaves_no_database_work_running(app).await;
    }
}

/// About 1.5 million SQLite VM steps (milliseconds): enough to meet the progress handler, which
/// looks at the clock every 10,000 steps, so a deadline already past interrupts it.
const BRIEF: &str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
                     SELECT count(*) AS c FROM n";
/// Never ends on its own.
const ENDLESS: &str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) \
                       SELECT count(*) AS c FROM n";

/// The SQLite deadline is armed on every checkout: a connection back from the pool gets its full
/// time again (one armed only when it opened would interrupt the later checkouts below), and a
/// statement that never ends is interrupted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sqlite_checkout_gets_its_full_statement_time_and_no_more() {
    let dir = tempfile::tempdir().unwrap();
    let config = contacts_graph::config::DatabaseConfig {
        url: secrecy::SecretString::from(format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("deadline.db").display()
        )),
        max_connections: 1,
        statement_timeout_secs: 1,
        ..Default::default()
    };
    let pool = db::connect(&config).await.unwrap();
    let run = |sql: &str| {
        pool.query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            sql,
        ))
    };
    run(BRIEF).await.expect("the first checkout");
    // The pool's only connection, checked out again and again: by the last round a deadline
    // armed once would have passed twice over.
    for round in 0..4 {
        tokio::time::sleep(Duration::from_millis(600)).await;
        run(BRIEF)
            .await
            .unwrap_or_else(|err| panic!("checkout {round} after a pause: {err}"));
    }

    let started = Instant::now();
    let endless = tokio::time::timeout(Duration::from_secs(10), run(ENDLESS))
        .await
        .expect("the endless statement was never interrupted");
    let err = endless.expect_err("an endless statement cannot succeed");
    assert!(err.to_string().contains("interrupt"), "{err}");
    eprintln!("interrupted after {:?}", started.elapsed());
}

async fn send(router: axum::Router, token: String, query: &'static str) -> Reply {
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(json!({ "query": query }).to_string()))
        .unwrap();
    let response = router.oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    Reply {
        status,
        headers,
        body: serde_json::from_slice(&bytes).unwrap(),
    }
}

async fn an_exhausted_pool_answers_503_at_once(app: TestApp) {
    // Both keys are checked (and remembered) while the pool is free.
    app.gql("{ __typename }", json!({})).await.data();
    app.gql_as(&app.keys.reader, "{ __typename }", json!({}))
        .await
        .data();
    make_audit_slow(&app).await;
    // The slow request takes the pool's only connection ...
    let slow = tokio::spawn(send(app.router.clone(), app.keys.admin.clone(), CREATE));
    wait_until_the_slow_write_runs(&app).await;
    // ... so the second one cannot have one, and says so instead of hanging.
    let started = Instant::now();
    let reply = tokio::time::timeout(
        Duration::from_secs(10),
        send(
            app.router.clone(),
            app.keys.reader.clone(),
            "{ accounts { totalCount } }",
        ),
    )
    .await
    .expect("an exhausted pool must not hang a request");
    eprintln!("refused after {:?}", started.elapsed());
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.body
    );
    assert_eq!(reply.error_code(), "SERVICE_UNAVAILABLE");
    assert_eq!(reply.headers[header::RETRY_AFTER], "1");
    let slow = slow.await.unwrap();
    assert_ne!(slow.status, StatusCode::OK, "{}", slow.body);
}

/// Waits, on a connection of the test's own, until the slow mutation is inside its trigger
/// (and so holds its pooled connection): SQLite's write lock is taken, or PostgreSQL runs the
/// audit insert.
async fn wait_until_the_slow_write_runs(app: &TestApp) {
    let config = contacts_graph::config::DatabaseConfig {
        url: secrecy::SecretString::from(app.database_url.clone()),
        max_connections: 1,
        sqlite_busy_timeout_ms: 0,
        ..Default::default()
    };
    let own = db::connect(&config).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let running = match app.backend {
            Backend::Sqlite => match db::begin_write(&own).await {
                Ok(txn) => {
                    txn.rollback().await.unwrap();
                    false
                }
                Err(_) => true,
            },
            Backend::Postgres => {
                let row = own
                    .query_one_raw(sea_orm::Statement::from_string(
                        own.get_database_backend(),
                        "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE state = 'active' \
                         AND query LIKE 'INSERT INTO \"audit_entry\"%'",
                    ))
                    .await
                    .unwrap()
                    .unwrap();
                row.try_get::<i64>("", "n").unwrap() > 0
            }
        };
        if running {
            break;
        }
        assert!(Instant::now() < deadline, "the slow request never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    own.close().await.unwrap();
}

async fn pool_of_one(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |config| {
        config.database.max_connections = 1;
        config.database.acquire_timeout_ms = 300;
        config.database.statement_timeout_secs = 3;
        config.server.request_timeout_secs = 10;
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exhausted_pool_answers_503_at_once_sqlite() {
    an_exhausted_pool_answers_503_at_once(pool_of_one(Backend::Sqlite).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exhausted_pool_answers_503_at_once_postgres() {
    if let Some(app) = pool_of_one(Backend::Postgres).await {
        an_exhausted_pool_answers_503_at_once(app).await;
    }
}

async fn readyz(app: &TestApp) -> (StatusCode, Value) {
    let (status, _, body) = app.get_as(None, "/readyz", "*/*").await;
    (status, serde_json::from_slice(&body).unwrap())
}

/// Polls `/readyz` every 50 ms until it answers `want`; returns how long that took.
async fn until_ready_is(app: &TestApp, want: StatusCode, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let (status, body) = readyz(app).await;
        if status == want {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "readiness stayed {status} ({body}) for {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

both_backends!(readiness_follows_the_database, |app| {
    let (status, body) = readyz(&app).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "ready");
    let (status, _, _) = app.get_as(None, "/healthz", "*/*").await;
    assert_eq!(status, StatusCode::OK);

    // A database that does not answer: every pooled connection is taken, so the probe's ping
    // waits; it gives up after 1 s (the pool itself would wait 2 s).
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(app.db.begin().await.unwrap());
    }
    let started = Instant::now();
    let (status, body) = readyz(&app).await;
    let took = started.elapsed();
    eprintln!("readiness answered {status} after {took:?} with the pool exhausted");
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["reason"], "database did not answer within 1 s");
    // Generous: the bound is 1 s plus scheduling on a busy 2-core machine.
    assert!(took < Duration::from_secs(3), "{took:?}");
    let (status, _, _) = app.get_as(None, "/healthz", "*/*").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "liveness does not depend on the database"
    );
    drop(held);
    until_ready_is(&app, StatusCode::OK, Duration::from_secs(5)).await;

    // A migration this binary knows is missing from the database.
    app.db
        .execute_unprepared(
            "DELETE FROM seaql_migrations WHERE version = \
             (SELECT MAX(version) FROM seaql_migrations)",
        )
        .await
        .unwrap();
    let (status, body) = readyz(&app).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["reason"], "migrations pending");
});

/// PostgreSQL going away: its connections are terminated and new ones refused. Readiness
/// flips within about a second (polled every 50 ms, printed), and back when it returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_flips_when_postgresql_goes_away() {
    let Some(app) = common::spawn_app(Backend::Postgres).await else {
        return;
    };
    let admin_url = std::env::var("TEST_DATABASE_URL").unwrap();
    let admin = sea_orm::Database::connect(&admin_url).await.unwrap();
    let row = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT current_database() AS name",
        ))
        .await
        .unwrap()
        .unwrap();
    let name: String = row.try_get("", "name").unwrap();
    until_ready_is(&app, StatusCode::OK, Duration::from_secs(5)).await;

    let gone = Instant::now();
    admin
        .execute_unprepared(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        ))
        .await
        .unwrap();
    let flipped = until_ready_is(
        &app,
        StatusCode::SERVICE_UNAVAILABLE,
        Duration::from_secs(10),
    )
    .await;
    eprintln!(
        "readiness flipped {:?} after the database went away ({flipped:?} of polling)",
        gone.elapsed()
    );
    assert!(
        gone.elapsed() < Duration::from_secs(3),
        "{:?}",
        gone.elapsed()
    );

    admin
        .execute_unprepared(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .await
        .unwrap();
    let back = until_ready_is(&app, StatusCode::OK, Duration::from_secs(10)).await;
    eprintln!("ready again {back:?} after the database came back");
}
