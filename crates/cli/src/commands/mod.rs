//! One module per subcommand.

pub mod bench;
mod demo;
mod export;
mod import;
mod migrate;
mod serve;
mod solve_mcf;
mod user;

use crate::args::{BenchCommand, Cli, Command, UserCommand};
use crate::config;
use anyhow::Context;
use carebridge_service::{Carebridge, Store};
use std::process::ExitCode;

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let file = config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Demo { data, listen, seed, http } => {
            demo::run(data, config::server_config(listen, http, &file)?, seed).await
        }
        Command::Serve { db, listen, http } => {
            let url = config::database_url(db.database_url, &file);
            let listen = listen.or(file.listen.clone()).unwrap_or_else(|| config::DEFAULT_LISTEN.to_string());
            let surge = config::surge_factor(&file)?;
            serve::run(&url, config::server_config(listen, http, &file)?, file.token_ttl_hours, surge).await
        }
        Command::Migrate { db } => migrate::run(&config::database_url(db.database_url, &file)).await,
        Command::User { command: UserCommand::Add { username, role, scope, display_name, db } } => {
            user::add(&config::database_url(db.database_url, &file), username, &role, scope, display_name).await
        }
        Command::Import { what, file: path, db } => {
            import::run(&config::database_url(db.database_url, &file), what, &path, config::surge_factor(&file)?).await
        }
        Command::Export { what, file: path, db } => {
            export::run(&config::database_url(db.database_url, &file), what, &path).await
        }
        Command::SolveMcf { file: path } => solve_mcf::run(&path),
        Command::Bench { command: BenchCommand::Registry(args) } => bench::registry(args).await,
        Command::Bench { command: BenchCommand::Placement(args) } => bench::placement(&args),
        Command::Bench { command: BenchCommand::Online(args) } => bench::online(args).await,
        Command::Bench { command: BenchCommand::OfferLatency(args) } => bench::offer_latency(args).await,
        Command::Bench { command: BenchCommand::Booking(args) } => bench::booking(args).await,
        Command::Bench { command: BenchCommand::FeverWait(args) } => bench::fever_wait(args),
    }
}

/// Open the store at `url` and bring its schema up to date.
pub async fn open(url: &str) -> anyhow::Result<Carebridge> {
    config::prepare_sqlite_dir(url)?;
    let store =
        Store::connect(url, 16).await.with_context(|| format!("connecting to {}", carebridge_store_redact(url)))?;
    carebridge_store::migrate::run(&store).await.context("applying migrations")?;
    Ok(Carebridge::new(store))
}

fn carebridge_store_redact(url: &str) -> String {
    carebridge_store::redact(url)
}
