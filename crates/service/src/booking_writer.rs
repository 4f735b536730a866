//! Group commit for bookings, on SQLite: the path capacity reports take (see
//! `capacity_writer`), for the same reason. A booking must be durable before its patient sees
//! the confirmation, and on SQLite a durable commit costs an fsync of the log; one writer task
//! takes every booking waiting at that moment and writes them in one transaction (each checked
//! inside it against its patient's limit and its slot's places, in arrival order), commits
//! without waiting for the disk, and answers each caller from a task of its own once the log is
//! synced, while the writer starts on the next group. At most [`SYNCS_IN_FLIGHT`] groups wait
//! for the disk at once. A group that fails as a whole is retried one booking per transaction,
//! so one bad booking never fails its neighbours.
//!
//! PostgreSQL does not need it: its WAL writer already flushes every commit waiting at once,
//! and concurrent transactions on their own connections keep it busy (the benchmark in
//! docs/BENCHMARKS.md measures both).

use crate::context::Carebridge;
use crate::error::ServiceError;
use carebridge_domain::booking::Booking;
use carebridge_store::booking_group::{self, BookingOutcome, GroupBooking};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, OwnedSemaphorePermit, Semaphore};

/// Most bookings written in one transaction.
const MAX_GROUP: usize = 512;
/// Committed groups that may wait for their log sync at once.
const SYNCS_IN_FLIGHT: usize = 4;

/// A booking request already validated, waiting for the writer (which checks it against the
/// stored state inside its transaction).
pub(crate) struct Job {
    pub group: GroupBooking,
    pub reply: oneshot::Sender<Result<Booking, ServiceError>>,
}

/// The sending half, kept in the context.
#[derive(Clone)]
pub(crate) struct BookingWriter {
    sender: mpsc::Sender<Job>,
}

impl BookingWriter {
    pub fn start(cb: Carebridge) -> Self {
        let (sender, receiver) = mpsc::channel(4 * MAX_GROUP);
        tokio::spawn(run(cb, receiver));
        Self { sender }
    }

    pub fn is_closed(&self) -> bool {
        self.sender.is_closed()
    }

    /// Hand a job to the writer; gives the job back if the writer is gone.
    pub async fn submit(&self, job: Job) -> Result<(), Job> {
        self.sender.send(job).await.map_err(|e| e.0)
    }
}

async fn run(cb: Carebridge, mut receiver: mpsc::Receiver<Job>) {
    let syncs = Arc::new(Semaphore::new(SYNCS_IN_FLIGHT));
    let mut group = Vec::with_capacity(MAX_GROUP);
    while let Some(first) = receiver.recv().await {
        group.push(first);
        while group.len() < MAX_GROUP {
            match receiver.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let Ok(permit) = Arc::clone(&syncs).acquire_owned().await else { break };
        write_group(&cb, std::mem::take(&mut group), permit).await;
    }
}

/// The answer a booking's outcome gives its caller.
pub(crate) fn answer(outcome: BookingOutcome) -> Result<Booking, ServiceError> {
    match outcome {
        BookingOutcome::Booked(b) => Ok(*b),
        BookingOutcome::NoSlot => Err(ServiceError::invalid("/slot_id", "no such slot (at your facility)")),
        BookingOutcome::Cancelled => Err(ServiceError::Conflict("the slot was cancelled".into())),
        BookingOutcome::Begun => Err(ServiceError::Conflict("the slot has already started".into())),
        BookingOutcome::ClosedToNew { facility } => {
            Err(ServiceError::Conflict(format!("{facility} is closed to new patients")))
        }
        BookingOutcome::VirusDesignated { facility, service } => Err(ServiceError::Conflict(format!(
            "{facility} is designated for the virus and takes no {service} patients"
        ))),
        BookingOutcome::OverLimit { held, limit } => Err(ServiceError::Conflict(format!(
            "you hold {held} future bookings of this service already, the most your region allows ({limit}): \
             cancel one first"
        ))),
        BookingOutcome::Full => Err(ServiceError::Conflict("the slot is full".into())),
    }
}

async fn write_group(cb: &Carebridge, group: Vec<Job>, permit: OwnedSemaphorePermit) {
    let rows: Vec<GroupBooking> = group.iter().map(|j| j.group.clone()).collect();
    let written = match cb.booking_limit_fn().await {
        Ok(limit_of) => booking_group::write_group(&cb.store, rows, limit_of).await.map_err(ServiceError::from),
        Err(e) => Err(e),
    };
    match written {
        Ok((outcomes, pending)) => {
            tokio::spawn(async move {
                let synced = pending.wait().await;
                drop(permit);
                match synced {
                    Ok(()) => {
                        for (job, outcome) in group.into_iter().zip(outcomes) {
                            let _ = job.reply.send(answer(outcome));
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, size = group.len(), "syncing a committed booking group failed");
                        let why = format!("the booking was written but the disk did not confirm it: {e}");
                        for job in group {
                            let _ = job.reply.send(Err(ServiceError::Unavailable(why.clone())));
                        }
                    }
                }
            });
        }
        Err(e) => {
            drop(permit);
            tracing::warn!(error = %e, size = group.len(), "booking group commit failed; writing one by one");
            for job in group {
                let result = write_alone(cb, &job.group).await;
                let _ = job.reply.send(result);
            }
        }
    }
}

/// Write one booking in its own transaction (the fallback, and the path when no writer runs).
pub(crate) async fn write_alone(cb: &Carebridge, g: &GroupBooking) -> Result<Booking, ServiceError> {
    let limit_of = cb.booking_limit_fn().await?;
    let (mut outcomes, pending) = booking_group::write_group(&cb.store, vec![g.clone()], limit_of).await?;
    pending.wait().await?;
    answer(outcomes.pop().ok_or_else(|| ServiceError::Internal("no answer for a booking".into()))?)
}
