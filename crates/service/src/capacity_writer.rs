//! Group commit for capacity reports. Desks report concurrently; each report must be durable
//! before its 201, and on SQLite a durable commit costs an fsync. One writer task takes every
//! report waiting at that moment and writes them, each with its audit entry, in one transaction:
//! one fsync for the group, and every caller still hears back only after the commit.
//!
//! The fsync does not hold the writer up: the group is committed with
//! [`Tx::commit_deferred`](carebridge_store::Tx::commit_deferred), its callers are answered by a
//! task of their own once the log is on disk, and the writer meanwhile starts on the next group.
//! At most [`SYNCS_IN_FLIGHT`] groups wait for the disk at once.
//!
//! The writer also authorises: the store reads where the group's facilities sit in the same
//! transaction it writes in and refuses the reports whose facility the caller may not see. On
//! a SQLite file the whole group is one hand-off to the store's native writer thread
//! ([`carebridge_store::capacity_group`]). A group that fails as a whole (a constraint, a lost
//! connection) is retried one report per transaction, so one bad report never fails its
//! neighbours.

use crate::context::{actor_of, Carebridge, RequestMeta};
use crate::error::ServiceError;
use carebridge_domain::capacity::{CapacityReport, CapacityReportDraft};
use carebridge_domain::ids::ReportId;
use carebridge_domain::user::Principal;
use carebridge_store::capacity_group::{self, GroupOutcome, GroupReport};
use carebridge_store::{PendingSync, Visibility};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, OwnedSemaphorePermit, Semaphore};

/// Most reports written in one transaction.
const MAX_GROUP: usize = 512;

/// Committed groups that may wait for their log sync at once; a further group waits for one of
/// them before it is written. Two would do to overlap one sync with one write; a few more absorb
/// a slow sync without stalling the writer.
const SYNCS_IN_FLIGHT: usize = 4;

/// A report already validated and authorised, waiting for the writer.
pub(crate) struct Job {
    pub principal: Principal,
    /// The facilities the principal may report for; checked by the writer inside its
    /// transaction, so a request costs no read of its own.
    pub visibility: Visibility,
    pub meta: RequestMeta,
    pub draft: CapacityReportDraft,
    pub reply: oneshot::Sender<Result<CapacityReport, ServiceError>>,
}

/// The sending half, kept in the context.
#[derive(Clone)]
pub(crate) struct ReportWriter {
    sender: mpsc::Sender<Job>,
}

impl ReportWriter {
    /// Start the writer task on the current runtime.
    pub fn start(cb: Carebridge) -> Self {
        let (sender, receiver) = mpsc::channel(4 * MAX_GROUP);
        tokio::spawn(run(cb, receiver));
        Self { sender }
    }

    /// Whether the writer task has ended.
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
        // The semaphore is never closed, so this waits only for a sync to finish.
        let Ok(permit) = Arc::clone(&syncs).acquire_owned().await else { break };
        write_group(&cb, std::mem::take(&mut group), permit).await;
    }
}

/// The answer to a report for a facility the caller may not see (or that does not exist): the
/// same words either way, so the answer leaks nothing.
pub(crate) fn out_of_scope() -> ServiceError {
    ServiceError::invalid("/facility_id", "no such facility in your scope")
}

/// Per job, its report or why it was refused.
type Answers = Vec<Result<CapacityReport, ServiceError>>;

/// Authorise, write and commit `jobs`, each report with its audit entry, in one transaction
/// (the store checks each facility against its sender's scope inside it). The answers hold
/// only once the returned sync is done.
async fn write_checked(cb: &Carebridge, jobs: &[&Job]) -> Result<(Answers, PendingSync), ServiceError> {
    let now = cb.now();
    let group: Vec<GroupReport> = jobs
        .iter()
        .map(|job| {
            let id = ReportId::new_v7();
            let change = serde_json::json!({ "report_id": id, "report": job.draft });
            let facility = job.draft.facility_id.to_string();
            GroupReport {
                id,
                draft: job.draft.clone(),
                reported_by: Some(job.principal.user_id),
                received_at: now,
                visibility: job.visibility,
                audit: cb.audit_entry(
                    &actor_of(&job.principal),
                    &job.meta,
                    "capacity.report",
                    "facility",
                    &facility,
                    change,
                ),
            }
        })
        .collect();
    let ids: Vec<ReportId> = group.iter().map(|r| r.id).collect();
    let (outcomes, pending) = capacity_group::write_group(&cb.store, group).await?;
    let answers = jobs
        .iter()
        .zip(ids)
        .zip(outcomes)
        .map(|((job, id), outcome)| match outcome {
            GroupOutcome::Stored { became_current } => Ok(CapacityReport {
                id,
                draft: job.draft.clone(),
                reported_by: Some(job.principal.user_id),
                received_at: now,
                became_current,
            }),
            GroupOutcome::OutOfScope => Err(out_of_scope()),
        })
        .collect();
    Ok((answers, pending))
}

/// Write one group; its callers hear back once the group is on disk, from a task of its own
/// that holds `permit` until then.
async fn write_group(cb: &Carebridge, group: Vec<Job>, permit: OwnedSemaphorePermit) {
    let refs: Vec<&Job> = group.iter().collect();
    match write_checked(cb, &refs).await {
        Ok((answers, pending)) => {
            tokio::spawn(async move {
                let synced = pending.wait().await;
                drop(permit);
                match synced {
                    Ok(()) => {
                        for (job, answer) in group.into_iter().zip(answers) {
                            let _ = job.reply.send(answer);
                        }
                    }
                    Err(e) => {
                        // Committed but not known to be on disk: nobody hears "created".
                        tracing::error!(error = %e, size = group.len(), "syncing a committed group failed");
                        let why = format!("the report was written but the disk did not confirm it: {e}");
                        for job in group {
                            let _ = job.reply.send(Err(ServiceError::Unavailable(why.clone())));
                        }
                    }
                }
            });
        }
        Err(e) => {
            drop(permit);
            tracing::warn!(error = %e, size = group.len(), "group commit failed; writing reports one by one");
            for job in group {
                let result = write_alone(cb, &job).await;
                let _ = job.reply.send(result);
            }
        }
    }
}

/// Write one report in its own transaction (the fallback, and the path when no writer runs).
pub(crate) async fn write_alone(cb: &Carebridge, job: &Job) -> Result<CapacityReport, ServiceError> {
    let (mut answers, pending) = write_checked(cb, &[job]).await?;
    pending.wait().await?;
    answers.pop().unwrap_or_else(|| Err(ServiceError::Internal("no answer for a report".into())))
}
