//! `carebridge user add`: create an account from the console. The password comes from standard
//! input (first line) when it is not a terminal, else from a hidden prompt.

use anyhow::Context;
use carebridge_domain::user::Role;
use carebridge_service::users::NewUser;
use carebridge_service::{RequestMeta, ServiceError};
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

pub async fn add(
    url: &str,
    username: String,
    role: &str,
    scope: Option<String>,
    display_name: Option<String>,
) -> anyhow::Result<ExitCode> {
    let role = Role::parse(role).map_err(|e| anyhow::anyhow!("--role: {e}"))?;
    let password = read_password()?;
    let cb = super::open(url).await?;
    let new = NewUser { username, password, role, scope, display_name };
    match cb.create_user(None, new, &RequestMeta::default()).await {
        Ok(user) => {
            println!("created {} ({}) id {}", user.username, user.role, user.id);
            Ok(ExitCode::SUCCESS)
        }
        Err(ServiceError::Invalid(v)) => {
            for e in v.0 {
                eprintln!("error: {} {}", e.pointer.trim_start_matches('/').replace('/', "."), e.detail);
            }
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e).context("creating the user"),
    }
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let p = rpassword::prompt_password("password: ").context("reading the password")?;
        let again = rpassword::prompt_password("again: ").context("reading the password")?;
        anyhow::ensure!(p == again, "the passwords differ");
        Ok(p)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
        Ok(line.trim_end_matches(['\n', '\r']).to_string())
    }
}
