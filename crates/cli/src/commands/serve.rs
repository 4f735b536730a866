//! `carebridge serve`: migrate, then serve until SIGTERM; never creates accounts.

use carebridge_server::startup::shutdown_signal;
use carebridge_server::{Application, ServerConfig};
use std::process::ExitCode;

pub async fn run(
    url: &str,
    config: ServerConfig,
    token_ttl_hours: Option<i64>,
    surge: carebridge_domain::capacity::SurgeFactor,
) -> anyhow::Result<ExitCode> {
    let mut cb = super::open(url).await?;
    cb.surge_factor = surge;
    if let Some(h) = token_ttl_hours {
        anyhow::ensure!((1..=24 * 90).contains(&h), "token_ttl_hours must be between 1 and 2160");
        cb.token_ttl_secs = h * 3600;
    }
    let app = Application::build(&config, cb.clone()).await?;
    println!("Carebridge listening on http://{}", app.addr());
    app.run_until(shutdown_signal()).await?;
    cb.store.close().await;
    Ok(ExitCode::SUCCESS)
}
