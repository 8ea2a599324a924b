//! Probes for load balancers and orchestrators.
//!
//! - `/healthz`: the process is up and serving HTTP (liveness); touches nothing else.
//! - `/readyz`: the database answers within [`READY_WITHIN`] and every migration this binary
//!   knows has been applied (readiness); 503 with the reason otherwise. A database that hangs
//!   (network partition, exhausted pool) fails it as surely as one that refuses.
//! - `/health`: kept from before, the database ping alone.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sea_orm::DatabaseConnection;
use serde_json::json;

use crate::db;

/// How long the database may take to answer a readiness probe.
pub const READY_WITHIN: Duration = Duration::from_secs(1);

pub async fn healthz() -> Response {
    (StatusCode::OK, "ok").into_response()
}

pub async fn readyz(State(db): State<DatabaseConnection>) -> Response {
    let check = async {
        db.ping().await.map_err(|err| {
            tracing::warn!(error = %err, "readiness: the database does not answer");
            "database unreachable"
        })?;
        match db::migrations_current(&db).await {
            Ok(true) => Ok(()),
            Ok(false) => Err("migrations pending"),
            Err(err) => {
                tracing::warn!(error = %err, "readiness: cannot read the migration table");
                Err("database unreachable")
            }
        }
    };
    let outcome = tokio::time::timeout(READY_WITHIN, check)
        .await
        .unwrap_or(Err("database did not answer within 1 s"));
    match outcome {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))).into_response(),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "reason": reason })),
        )
            .into_response(),
    }
}

/// Liveness and database reachability (the older probe).
pub async fn health(State(db): State<DatabaseConnection>) -> Response {
    match db.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(err) => {
            tracing::error!(error = %err, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}
