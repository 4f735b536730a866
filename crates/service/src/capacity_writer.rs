//! Group commit for capacity reports. Desks report concurrently; each report must be durable
//! before its 201, and on SQLite a durable commit costs an fsync. One writer task takes every
//! report waiting at that moment and writes them, each with its audit entry, in one transaction:
//! one fsync for the group, and every caller still hears back only after the commit.
//!
//! A group that fails as a whole (a constraint, a lost connection) is retried one report per
//! transaction, so one bad report never fails its neighbours.

use crate::context::{actor_of, Carebridge, RequestMeta};
use crate::error::ServiceError;
use carebridge_domain::capacity::{CapacityReport, CapacityReportDraft};
use carebridge_domain::ids::ReportId;
use carebridge_domain::user::Principal;
use carebridge_store::capacity as store_capacity;
use carebridge_store::Tx;
use tokio::sync::{mpsc, oneshot};

/// Most reports written in one transaction.
const MAX_GROUP: usize = 512;

/// A report already validated and authorised, waiting for the writer.
pub(crate) struct Job {
    pub principal: Principal,
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
    let mut group = Vec::with_capacity(MAX_GROUP);
    while let Some(first) = receiver.recv().await {
        group.push(first);
        while group.len() < MAX_GROUP {
            match receiver.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        write_group(&cb, std::mem::take(&mut group)).await;
    }
}

async fn write_one(cb: &Carebridge, tx: &mut Tx, job: &Job, id: ReportId) -> Result<CapacityReport, ServiceError> {
    let now = cb.now();
    let became_current = store_capacity::insert_report(tx, id, &job.draft, Some(job.principal.user_id), now).await?;
    let change = serde_json::json!({ "report_id": id, "report": job.draft, "became_current": became_current });
    cb.audit(
        tx,
        &actor_of(&job.principal),
        &job.meta,
        "capacity.report",
        "facility",
        &job.draft.facility_id.to_string(),
        change,
    )
    .await?;
    Ok(CapacityReport {
        id,
        draft: job.draft.clone(),
        reported_by: Some(job.principal.user_id),
        received_at: now,
        became_current,
    })
}

async fn write_group(cb: &Carebridge, group: Vec<Job>) {
    let attempt = async {
        let mut tx = cb.store.begin().await?;
        let mut done = Vec::with_capacity(group.len());
        for job in &group {
            done.push(write_one(cb, &mut tx, job, ReportId::new_v7()).await?);
        }
        tx.commit().await?;
        Ok::<_, ServiceError>(done)
    };
    match attempt.await {
        Ok(done) => {
            for (job, report) in group.into_iter().zip(done) {
                let _ = job.reply.send(Ok(report));
            }
        }
        Err(e) => {
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
    let mut tx = cb.store.begin().await?;
    let report = write_one(cb, &mut tx, job, ReportId::new_v7()).await?;
    tx.commit().await?;
    Ok(report)
}
