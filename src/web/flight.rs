//! One run of an async operation shared by every caller that asks while it runs (the
//! refresh: one request per token however many callers wait).

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::slot::Slot;

/// The outcome of a run, once it is there.
pub struct Flight<T> {
    outcome: Slot<Option<T>>,
    waiters: Slot<Vec<Waker>>,
}

impl<T: Clone + 'static> Flight<T> {
    /// Starts `work` on its own (it finishes even if every caller goes away).
    pub fn start(work: impl Future<Output = T> + 'static) -> Rc<Flight<T>> {
        let flight = Rc::new(Flight {
            outcome: Slot::default(),
            waiters: Slot::default(),
        });
        let running = flight.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = work.await;
            running.outcome.set(Some(outcome));
            let waiters = running.waiters.take();
            for waker in waiters {
                waker.wake();
            }
        });
        flight
    }

    /// Waits for the outcome.
    pub fn wait(self: &Rc<Self>) -> Wait<T> {
        Wait(self.clone())
    }
}

pub struct Wait<T>(Rc<Flight<T>>);

impl<T: Clone> Future for Wait<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        if let Some(outcome) = self.0.outcome.get() {
            return Poll::Ready(outcome);
        }
        self.0
            .waiters
            .with(|waiters| waiters.push(cx.waker().clone()));
        Poll::Pending
    }
}
