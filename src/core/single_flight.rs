//! One operation in flight, however many callers ask for it (single-threaded).
//!
//! The first caller runs the operation; callers arriving meanwhile wait for its result.
//! If the running caller is dropped before finishing, a waiter takes over, so nobody
//! waits forever.

use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::rc::Rc;

struct Flight<T> {
    /// `Some(Some(v))` finished, `Some(None)` abandoned, `None` still running.
    outcome: RefCell<Option<Option<T>>>,
    waiters: RefCell<Vec<Waker>>,
}

impl<T> Flight<T> {
    fn finish(&self, outcome: Option<T>) {
        *self.outcome.borrow_mut() = Some(outcome);
        let waiters = core::mem::take(&mut *self.waiters.borrow_mut());
        for w in waiters {
            w.wake();
        }
    }
}

/// Shares one run of an async operation among concurrent callers.
pub struct SingleFlight<T> {
    current: RefCell<Option<Rc<Flight<T>>>>,
}

impl<T> Default for SingleFlight<T> {
    fn default() -> Self {
        SingleFlight {
            current: RefCell::new(None),
        }
    }
}

/// Clears the slot and releases waiters if the leading caller is dropped mid-way.
struct Lead<'a, T> {
    owner: &'a SingleFlight<T>,
    flight: Rc<Flight<T>>,
    done: bool,
}

impl<T> Drop for Lead<'_, T> {
    fn drop(&mut self) {
        *self.owner.current.borrow_mut() = None;
        if !self.done {
            self.flight.finish(None);
        }
    }
}

struct Wait<T>(Rc<Flight<T>>);

impl<T: Clone> Future for Wait<T> {
    type Output = Option<T>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        match &*self.0.outcome.borrow() {
            Some(outcome) => Poll::Ready(outcome.clone()),
            None => {
                self.0.waiters.borrow_mut().push(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl<T: Clone> SingleFlight<T> {
    /// Runs `op`, or waits for the run already in flight and returns its result.
    pub async fn run<F, Fut>(&self, op: F) -> T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        loop {
            let running = self.current.borrow().clone();
            match running {
                Some(flight) => {
                    if let Some(v) = Wait(flight).await {
                        return v;
                    }
                }
                None => {
                    let flight = Rc::new(Flight {
                        outcome: RefCell::new(None),
                        waiters: RefCell::new(Vec::new()),
                    });
                    *self.current.borrow_mut() = Some(flight.clone());
                    let mut lead = Lead {
                        owner: self,
                        flight,
                        done: false,
                    };
                    let v = op().await;
                    lead.done = true;
                    lead.flight.finish(Some(v.clone()));
                    return v;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::cell::Cell;
    use core::pin::pin;
    use core::task::Waker;

    /// Pending until `open` is set.
    struct Gate<'a>(&'a Cell<bool>);
    impl Future for Gate<'_> {
        type Output = ();
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0.get() {
                Poll::Ready(())
            } else {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }

    #[test]
    fn waiters_share_the_result_and_take_over_from_a_dropped_leader() {
        let flight = SingleFlight::<u32>::default();
        let open = Cell::new(false);
        let runs = Cell::new(0);
        let op = || async {
            runs.set(runs.get() + 1);
            Gate(&open).await;
            runs.get()
        };
        let mut cx = Context::from_waker(Waker::noop());
        let leader = Box::pin(flight.run(op));
        let mut leader = Some(leader);
        let mut waiter = pin!(flight.run(op));
        assert!(leader.as_mut().unwrap().as_mut().poll(&mut cx).is_pending());
        assert!(waiter.as_mut().poll(&mut cx).is_pending());
        assert_eq!(runs.get(), 1, "the waiter did not start a second run");
        // The leader goes away before finishing: the waiter runs the operation itself.
        leader.take();
        assert!(waiter.as_mut().poll(&mut cx).is_pending());
        assert_eq!(runs.get(), 2);
        open.set(true);
        assert_eq!(waiter.as_mut().poll(&mut cx), Poll::Ready(2));
        // Finished: the next caller starts a new run.
        let mut next = pin!(flight.run(op));
        assert_eq!(next.as_mut().poll(&mut cx), Poll::Ready(3));
    }
}
