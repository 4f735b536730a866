//! `carebridge import facilities|capacity FILE`: a whole file in one transaction. The file is
//! parsed and checked completely first; any bad row aborts with its line, column and reason and
//! nothing is written.

use crate::args::Dataset;
use crate::progress;
use anyhow::Context;
use carebridge_domain::audit::Actor;
use carebridge_interop::csv_io;
use carebridge_service::{RequestMeta, ServiceError};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::process::ExitCode;

/// Files above this size get a progress bar while they are read.
const PROGRESS_BYTES: u64 = 256 * 1024;

pub async fn run(
    url: &str,
    what: Dataset,
    path: &Path,
    surge: carebridge_domain::capacity::SurgeFactor,
) -> anyhow::Result<ExitCode> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = progress::bytes_bar(len, "reading");
    if len < PROGRESS_BYTES {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let reader = BufReader::new(bar.wrap_read(file));
    let mut cb = super::open(url).await?;
    cb.surge_factor = surge;
    let actor = Actor::system(&format!("import:{}", path.display()));
    let meta = RequestMeta { request_id: Some(format!("import-{}", std::process::id())) };
    let result = match what {
        Dataset::Facilities => {
            let rows = csv_io::read_facilities(reader, &cb.regions);
            bar.finish_and_clear();
            let rows = match rows {
                Ok(r) => r,
                Err(e) => return Ok(refuse(path, &e.to_string())),
            };
            let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
            let n = rows.len();
            let out = cb.import_facilities(&actor, rows.into_iter().map(|r| (r.id, r.draft)).collect(), &meta).await;
            (out, lines, n)
        }
        Dataset::Capacity => {
            let rows = csv_io::read_capacity_with(reader, cb.now(), cb.surge_factor);
            bar.finish_and_clear();
            let rows = match rows {
                Ok(r) => r,
                Err(e) => return Ok(refuse(path, &e.to_string())),
            };
            let lines: Vec<u64> = rows.iter().map(|r| r.first_line).collect();
            let n = rows.len();
            let out = cb.import_capacity(&actor, rows.into_iter().map(|r| r.draft).collect(), &meta).await;
            (out, lines, n)
        }
    };
    match result {
        (Ok(summary), _, n) => {
            println!(
                "imported {} record(s) from {}: {} created, {} updated, {} report(s), {} unit row(s)",
                n,
                path.display(),
                summary.created,
                summary.updated,
                summary.reports,
                summary.unit_rows
            );
            // The rows are committed; copy them from the write-ahead log into the database file
            // now rather than leave the readers that follow to look them up in the log.
            if let Err(e) = cb.store.checkpoint_all().await {
                tracing::warn!(error = %e, "the import is stored; checkpointing the log after it failed");
            }
            Ok(ExitCode::SUCCESS)
        }
        (Err(ServiceError::Invalid(v)), lines, _) => {
            // Pointers are `/<record index>/field`: map the index back to the file's line.
            let e = v.0.first().cloned().unwrap_or_else(|| carebridge_domain::FieldError::new("", "invalid"));
            let mut parts = e.pointer.trim_start_matches('/').splitn(2, '/');
            let index: Option<usize> = parts.next().and_then(|s| s.parse().ok());
            let column = parts.next().unwrap_or("").replace('/', ".");
            let line = index.and_then(|i| lines.get(i)).copied();
            let msg = match line {
                Some(l) => format!("line {l}, column \"{column}\": {}", e.detail),
                None => format!("{}: {}", e.pointer, e.detail),
            };
            Ok(refuse(path, &msg))
        }
        (Err(e), _, _) => Err(e).context("importing"),
    }
}

fn refuse(path: &Path, msg: &str) -> ExitCode {
    eprintln!("error: {}: {msg}", path.display());
    eprintln!("nothing was imported");
    ExitCode::from(2)
}
