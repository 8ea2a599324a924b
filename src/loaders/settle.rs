//! Batching by quiescence rather than by a timer.
//!
//! A loader should run its statement once every resolver that could add a key to the batch has
//! done so, that is, when the request has nothing left to do but wait. A fixed delay guesses at
//! that moment: too short and a slow or busy machine splits one nesting level into many
//! statements, too long and every level pays the wait. Instead the request future is wrapped in
//! [`Tracked`], which records when it is being polled or has been woken, and each loader batch
//! starts as soon as the request is idle (bounded by a maximum wait).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// How long the request must stay idle before a batch starts: the results of the previous batch
/// wake the request one key at a time, and a batch must not start in the middle of that burst.
const SETTLE_WINDOW: Duration = Duration::from_micros(200);

/// What one request is doing, shared between its future and its loaders.
#[derive(Default)]
pub struct Activity {
    polls: AtomicU64,
    busy: AtomicBool,
    woken: AtomicBool,
    idle: Notify,
}

impl Activity {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    fn is_idle(&self) -> bool {
        !self.busy.load(Ordering::SeqCst) && !self.woken.load(Ordering::SeqCst)
    }

    /// Resolves when the request has been idle across a short settling window, or after
    /// `max_wait` at the latest.
    pub async fn settled(&self, max_wait: Duration) {
        let deadline = Instant::now() + max_wait;
        while Instant::now() < deadline {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_idle() {
                if self.stays_idle().await {
                    return;
                }
                continue;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return;
            }
        }
    }
}

impl Activity {
    /// Watches the idle request for [`SETTLE_WINDOW`]; false as soon as it is polled again.
    async fn stays_idle(&self) -> bool {
        let polls = self.polls.load(Ordering::SeqCst);
        let started = Instant::now();
        while started.elapsed() < SETTLE_WINDOW {
            tokio::task::yield_now().await;
            if !self.is_idle() || self.polls.load(Ordering::SeqCst) != polls {
                return false;
            }
        }
        true
    }
}

/// Wakes the request and notes that it has work to do.
struct FlagWaker {
    activity: Arc<Activity>,
    inner: Waker,
}

impl Wake for FlagWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.activity.woken.store(true, Ordering::SeqCst);
        self.inner.wake_by_ref();
    }
}

/// A request future whose polls and wake-ups are reported to its [`Activity`].
pub struct Tracked<F> {
    inner: Pin<Box<F>>,
    activity: Arc<Activity>,
    waker: Option<(Waker, Waker)>,
}

impl<F: Future> Tracked<F> {
    pub fn new(inner: F, activity: Arc<Activity>) -> Self {
        Self {
            inner: Box::pin(inner),
            activity,
            waker: None,
        }
    }

    fn flag_waker(&mut self, outer: &Waker) -> Waker {
        if let Some((cached_outer, flagged)) = &self.waker
            && cached_outer.will_wake(outer)
        {
            return flagged.clone();
        }
        let flagged = Waker::from(Arc::new(FlagWaker {
            activity: Arc::clone(&self.activity),
            inner: outer.clone(),
        }));
        self.waker = Some((outer.clone(), flagged.clone()));
        flagged
    }
}

impl<F: Future> Future for Tracked<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let waker = self.flag_waker(cx.waker());
        let activity = Arc::clone(&self.activity);
        activity.busy.store(true, Ordering::SeqCst);
        activity.woken.store(false, Ordering::SeqCst);
        activity.polls.fetch_add(1, Ordering::SeqCst);
        let result = self.inner.as_mut().poll(&mut Context::from_waker(&waker));
        activity.busy.store(false, Ordering::SeqCst);
        if result.is_pending() && !activity.woken.load(Ordering::SeqCst) {
            activity.idle.notify_waiters();
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_batch_waits_while_the_request_keeps_working() {
        let activity = Activity::new();
        let gate = Arc::clone(&activity);
        let batch = tokio::spawn(async move {
            gate.settled(Duration::from_secs(5)).await;
            Instant::now()
        });
        let busy_until = Tracked::new(
            async {
                for _ in 0..50 {
                    tokio::task::yield_now().await;
                    std::thread::sleep(Duration::from_micros(200));
                }
                Instant::now()
            },
            Arc::clone(&activity),
        )
        .await;
        let started = batch.await.unwrap_or_else(|_| Instant::now());
        assert!(
            started >= busy_until,
            "the batch started while the request was still busy"
        );
    }

    #[tokio::test]
    async fn an_idle_request_never_waits_for_the_maximum() {
        let activity = Activity::new();
        let started = Instant::now();
        activity.settled(Duration::from_secs(5)).await;
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}
