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
//! The writer also authorises: it reads where the group's facilities sit in the same
//! transaction it writes in, one query per group, and refuses the reports whose facility the
//! caller may not see. A group that fails as a whole (a constraint, a lost connection) is
//! retried one report per transaction, so one bad report never fails its neighbours.

use crate::context::{actor_of, Carebridge, RequestMeta};
use crate::error::ServiceError;
use carebridge_domain::capacity::{CapacityReport, CapacityReportDraft};
use carebridge_domain::ids::FacilityId;
use carebridge_domain::ids::ReportId;
use carebridge_domain::user::Principal;
use carebridge_store::audit;
use carebridge_store::capacity::{self as store_capacity, NewReport};
use carebridge_store::facilities as store_facilities;
use carebridge_store::{PendingSync, Tx, Visibility};
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

/// Write reports and their audit entries (one per report) into `tx`: a fixed handful of
/// statements for the whole group.
async fn write_jobs(cb: &Carebridge, tx: &mut Tx, jobs: &[&Job]) -> Result<Vec<CapacityReport>, ServiceError> {
    let now = cb.now();
    let rows: Vec<NewReport<'_>> = jobs
        .iter()
        .map(|job| NewReport {
            id: ReportId::new_v7(),
            draft: &job.draft,
            reported_by: Some(job.principal.user_id),
            received_at: now,
        })
        .collect();
    let became_current = store_capacity::insert_reports(tx, &rows).await?;
    let mut entries = Vec::with_capacity(jobs.len());
    let mut done = Vec::with_capacity(jobs.len());
    for ((job, row), became_current) in jobs.iter().zip(&rows).zip(became_current) {
        let change = serde_json::json!({ "report_id": row.id, "report": job.draft, "became_current": became_current });
        entries.push(cb.audit_entry(
            &actor_of(&job.principal),
            &job.meta,
            "capacity.report",
            "facility",
            &job.draft.facility_id.to_string(),
            change,
        ));
        done.push(CapacityReport {
            id: row.id,
            draft: job.draft.clone(),
            reported_by: row.reported_by,
            received_at: now,
            became_current,
        });
    }
    audit::append_many(tx, &entries).await?;
    Ok(done)
}

/// Which jobs may write: the facility exists and the principal's visibility admits it.
async fn admitted(tx: &mut Tx, jobs: &[&Job]) -> Result<Vec<bool>, ServiceError> {
    let ids: Vec<FacilityId> = jobs.iter().map(|j| j.draft.facility_id).collect();
    let paths = store_facilities::paths(tx, &ids).await?;
    Ok(jobs
        .iter()
        .map(|j| paths.get(&j.draft.facility_id).is_some_and(|p| j.visibility.admits(j.draft.facility_id, p)))
        .collect())
}

/// The answer to a report for a facility the caller may not see (or that does not exist): the
/// same words either way, so the answer leaks nothing.
pub(crate) fn out_of_scope() -> ServiceError {
    ServiceError::invalid("/facility_id", "no such facility in your scope")
}

/// Per job, its report or why it was refused.
type Answers = Vec<Result<CapacityReport, ServiceError>>;

/// Authorise, write and commit `jobs`. The answers hold only once the returned sync is done.
async fn write_checked(cb: &Carebridge, jobs: &[&Job]) -> Result<(Answers, PendingSync), ServiceError> {
    let mut tx = cb.store.begin().await?;
    let allowed = admitted(&mut tx, jobs).await?;
    let writable: Vec<&Job> = jobs.iter().zip(&allowed).filter(|(_, ok)| **ok).map(|(j, _)| *j).collect();
    let mut written = write_jobs(cb, &mut tx, &writable).await?.into_iter();
    let pending = tx.commit_deferred().await?;
    let answers = allowed
        .into_iter()
        .map(|ok| {
            if ok {
                written.next().ok_or_else(|| ServiceError::Internal("a written report went missing".into()))
            } else {
                Err(out_of_scope())
            }
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
