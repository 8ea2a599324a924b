//! Serving with a graceful shutdown: on the signal the listener closes (new connections are
//! refused), requests in flight get `server.shutdown_drain_secs` to finish, then the process
//! goes on to exit whether or not they did.

use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

/// Serves `app` until `shutdown` resolves, then drains for at most `drain`. Returns whether
/// every request finished within it.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    drain: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<bool> {
    let (signalled, mut on_signal) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.await;
        let _ = signalled.send(true);
    });
    let deadline = async move {
        if on_signal.wait_for(|signalled| *signalled).await.is_err() {
            // The server ended before any signal; nothing to bound.
            std::future::pending::<()>().await;
        }
        tracing::info!(
            drain_secs = drain.as_secs_f64(),
            "shutting down: draining requests in flight"
        );
        tokio::time::sleep(drain).await;
    };
    tokio::select! {
        served = server => served.map(|()| true),
        never = keep_timer_armed() => match never {},
        () = deadline => {
            tracing::warn!("drain time over: exiting with requests still in flight");
            Ok(false)
        }
    }
}

/// Keeps a timer due within a second for as long as the server runs.
///
/// Every request arms a timer, its timeout. tokio's time driver, parked with no timer due, is
/// woken by every new one: a write to its wake-up descriptor and a thread switched in per
/// request, for a deadline half a minute away. With a timer always due sooner, a request's
/// deadline leaves the driver parked.
async fn keep_timer_armed() -> Infallible {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
    }
}

/// Resolves on SIGTERM (what orchestrators send) or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received"),
        () = terminate => tracing::info!("SIGTERM received"),
    }
}
