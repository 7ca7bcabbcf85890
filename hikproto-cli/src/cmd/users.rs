//! `hikproto users`: list, add and delete device users.

use std::process::ExitCode;

use hikproto::isapi::users::UserLevel;
use hikproto::keys::Password;
use serde_json::json;

use crate::conn::{ConnArgs, read_new_password};
use crate::output::{CliError, Output};

/// Arguments of `hikproto users`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// List the users.
    List {
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Add a user; the new user's password comes from HIKPROTO_NEW_PASSWORD (or a prompt).
    Add {
        #[command(flatten)]
        conn: ConnArgs,
        /// The new user's name.
        #[arg(long)]
        name: String,
        /// `operator`, `viewer` or `administrator`.
        #[arg(long, default_value = "operator")]
        level: String,
    },
    /// Delete a user (never the administrator).
    Delete {
        #[command(flatten)]
        conn: ConnArgs,
        /// The user's name.
        #[arg(long)]
        name: String,
    },
}

fn level_of(s: &str) -> Result<UserLevel, CliError> {
    match UserLevel::parse(s) {
        UserLevel::Other(_) => Err(CliError::Usage(format!(
            "unknown level {s:?}: use operator, viewer or administrator"
        ))),
        l => Ok(l),
    }
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    match a.cmd {
        Cmd::List { conn } => {
            let users = conn.device()?.users().await?;
            out.print(&users, || {
                users
                    .iter()
                    .map(|u| {
                        format!(
                            "{:>3}  {:<24} {:<14} {}",
                            u.id,
                            u.user_name,
                            u.level.as_ref().map_or("-", |l| l.as_str()),
                            match u.enabled {
                                Some(false) => "disabled",
                                _ => "enabled",
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        Cmd::Add { conn, name, level } => {
            let level = level_of(&level)?;
            let pw = read_new_password(&format!("Password for the new user {name}: "))?;
            let pw = Password::new(&name, pw)?;
            let id = conn.device()?.add_user(&name, &pw, level, None).await?;
            out.print(&json!({ "added": name, "id": id }), || {
                format!("user {name} added (id {id})")
            });
        }
        Cmd::Delete { conn, name } => {
            let st = conn.device()?.delete_user(&name, None).await?;
            out.print(&json!({ "deleted": name, "status": st }), || {
                format!("user {name} deleted")
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}
