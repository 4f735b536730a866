//! `carebridge migrate`: apply pending migrations and say which.

use crate::config;
use anyhow::Context;
use carebridge_service::Store;
use std::process::ExitCode;

pub async fn run(url: &str) -> anyhow::Result<ExitCode> {
    config::prepare_sqlite_dir(url)?;
    let store =
        Store::connect(url, 2).await.with_context(|| format!("connecting to {}", carebridge_store::redact(url)))?;
    let applied = carebridge_store::migrate::run(&store).await.context("applying migrations")?;
    if applied.is_empty() {
        println!("database is up to date");
    } else {
        println!("applied migrations: {applied:?}");
    }
    Ok(ExitCode::SUCCESS)
}
