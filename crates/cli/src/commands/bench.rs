//! `carebridge bench registry`: a national-size registry, measured.

use clap::Args;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct RegistryArgs {
    /// Seed of the generated registry.
    #[arg(long, default_value_t = 2020)]
    pub seed: u64,
}

pub async fn registry(_args: RegistryArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("the registry benchmark is being written")
}
