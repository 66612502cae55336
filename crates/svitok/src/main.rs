//! `svitok`: the server and its operator commands.

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use svitok::app::{self, Application};
use svitok::config::Config;
use svitok_app::accounts::{self, ProfileInput};
use svitok_app::operator;
use svitok_core::clock::SystemClock;
use svitok_core::rights::{Right, Rights};

#[derive(Parser)]
#[command(
    name = "svitok",
    version,
    about = "Svitok — secure electronic document management (ЭДО) for closed networks"
)]
struct Cli {
    /// Configuration file (default: ./svitok.toml when present). SVITOK_* variables override it.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server: apply migrations, then serve HTTP on SVITOK_LISTEN. With no users
    /// yet, prints a one-time link that creates the first administrator.
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage users from the command line.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage groups from the command line.
    #[command(subcommand)]
    Group(GroupCommand),
    /// Audit log tools.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Check a detached signature (.p7s, DER) of FILE: digest, signature, chain to the CA,
    /// revocation. With --ca it needs no server or database; without it, it uses this
    /// server's CA and revocations. Exit status 1 when the signature does not hold.
    Verify {
        file: PathBuf,
        sig: PathBuf,
        /// The CA certificate (PEM or DER), e.g. downloaded from /api/v1/pki/ca.pem.
        #[arg(long, value_name = "CA_PEM")]
        ca: Option<PathBuf>,
        /// A CRL (DER) from /api/v1/pki/crl, to check revocation offline.
        #[arg(long, value_name = "CRL", requires = "ca")]
        crl: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum GroupCommand {
    /// Create a group.
    Create {
        name: String,
        #[arg(long)]
        description: Option<String>,
    },
    /// Put a user (by login or email) into a group (by name).
    AddMember { group: String, login: String },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an active user with a password read from standard input.
    Create(CreateUser),
    /// Turn rights on and off, e.g. `--grant sign_documents,view_statistics --revoke send_documents`.
    /// The last active holder of grant_rights or manage_users keeps them.
    SetRights {
        /// Login or email.
        login: String,
        /// Comma-separated right names to turn on.
        #[arg(long, value_delimiter = ',')]
        grant: Vec<String>,
        /// Comma-separated right names to turn off.
        #[arg(long, value_delimiter = ',')]
        revoke: Vec<String>,
    },
    /// Block a user: its sessions and API tokens end at once.
    Block { login: String },
    /// Unblock a user.
    Unblock { login: String },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the keyed chain and check it against the latest signed checkpoint; name the
    /// first edited, inserted or deleted entry.
    Verify,
    /// Sign the chain's head now and store it outside the database (the blob store);
    /// with --export, also write it to FILE.
    Checkpoint {
        #[arg(long, value_name = "FILE")]
        export: Option<PathBuf>,
    },
}

#[derive(Args)]
struct CreateUser {
    #[arg(long)]
    login: String,
    #[arg(long)]
    email: String,
    #[arg(long)]
    last_name: String,
    #[arg(long)]
    first_name: String,
    #[arg(long)]
    middle_name: Option<String>,
    #[arg(long)]
    position: Option<String>,
    /// Give the user all seven rights (an administrator).
    #[arg(long)]
    all_rights: bool,
    /// Read the password from standard input (required: passwords never go on the command line).
    #[arg(long, required = true)]
    password_stdin: bool,
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("svitok: {e}");
            std::process::exit(2);
        }
    };
    app::init_tracing(&config);
    if let Err(e) = run(cli.command, config).await {
        eprintln!("svitok: {}", said(&e));
        std::process::exit(1);
    }
}

/// A failure and its causes on one line, as `{:#}` would print them, with the domain's
/// errors said in English like the rest of the command line.
fn said(e: &anyhow::Error) -> String {
    e.chain()
        .map(|cause| match cause.downcast_ref::<svitok_core::CoreError>() {
            Some(ce) => svitok_app::messages::describe(svitok_app::messages::Lang::En, ce),
            None => cause.to_string(),
        })
        .collect::<Vec<_>>()
        .join(": ")
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let db = app::connect_db(&config).await?;
            db.close().await;
            println!("migrations applied");
            Ok(())
        }
        Command::User(UserCommand::Create(u)) => create_user(config, u).await,
        Command::User(UserCommand::SetRights { login, grant, revoke }) => {
            let (grant, revoke) = (parse_rights(&grant)?, parse_rights(&revoke)?);
            let state = app::state(&config, Arc::new(SystemClock)).await?;
            let after = operator::set_rights(&state, &login, grant, revoke).await?;
            state.db.close().await;
            let names: Vec<&str> = after.iter().map(|r| r.name()).collect();
            println!(
                "{login}: {}",
                if names.is_empty() {
                    "no rights".to_string()
                } else {
                    names.join(", ")
                }
            );
            Ok(())
        }
        Command::User(UserCommand::Block { login }) => {
            let state = app::state(&config, Arc::new(SystemClock)).await?;
            operator::block(&state, &login).await?;
            state.db.close().await;
            println!("{login}: blocked");
            Ok(())
        }
        Command::User(UserCommand::Unblock { login }) => {
            let state = app::state(&config, Arc::new(SystemClock)).await?;
            operator::unblock(&state, &login).await?;
            state.db.close().await;
            println!("{login}: unblocked");
            Ok(())
        }
        Command::Group(GroupCommand::Create { name, description }) => {
            let state = app::state(&config, Arc::new(SystemClock)).await?;
            let g = operator::create_group(&state, &name, description.as_deref()).await?;
            state.db.close().await;
            println!("created group {} ({})", g.name, g.id);
            Ok(())
        }
        Command::Group(GroupCommand::AddMember { group, login }) => {
            let state = app::state(&config, Arc::new(SystemClock)).await?;
            operator::add_member(&state, &group, &login).await?;
            state.db.close().await;
            println!("{login} is a member of {group}");
            Ok(())
        }
        Command::Verify { file, sig, ca, crl } => {
            let outcome = match ca {
                Some(ca) => {
                    let ca = svitok::verify::read_ca(&ca)?;
                    let crl = match crl {
                        Some(crl) => Some(svitok::verify::read_crl(&crl, &ca)?),
                        None => None,
                    };
                    // Offline, only the signature's own RFC 3161 time-stamp can say when.
                    let evidence = svitok::verify::Evidence {
                        revocations: match &crl {
                            Some(crl) => svitok::verify::Revocations::Crl(crl),
                            None => svitok::verify::Revocations::Unchecked,
                        },
                        trusted_time: None,
                    };
                    svitok::verify::run(&file, &sig, &ca, evidence)?
                }
                None => {
                    let record = svitok::verify::server_record(&config, &sig).await?;
                    let evidence = svitok::verify::Evidence {
                        revocations: svitok::verify::Revocations::Server(&record.revoked),
                        trusted_time: record.trusted_time,
                    };
                    svitok::verify::run(&file, &sig, &record.ca, evidence)?
                }
            };
            if outcome != svitok::verify::Outcome::Valid {
                std::process::exit(outcome.exit_code());
            }
            Ok(())
        }
        Command::Audit(AuditCommand::Verify) => {
            let state = app::state(&config, Arc::new(SystemClock)).await?;
            let result = svitok_app::audit::verify(&state).await;
            state.db.close().await;
            match result? {
                Ok((n, Some(cp))) => {
                    println!("audit chain intact: {n} entries; the signed checkpoint of entry {cp} matches");
                    Ok(())
                }
                Ok((n, None)) => {
                    println!("audit chain intact: {n} entries; no checkpoint yet (svitok audit checkpoint)");
                    Ok(())
                }
                Err((seq, why)) => bail!("audit chain broken at entry {seq}: {why}"),
            }
        }
        Command::Audit(AuditCommand::Checkpoint { export }) => {
            let state = app::state(&config, Arc::new(SystemClock)).await?;
            let made = svitok_app::audit::checkpoint(&state).await;
            state.db.close().await;
            match made? {
                Some(cp) => {
                    if let Some(path) = export {
                        std::fs::write(&path, serde_json::to_vec_pretty(&cp)?)
                            .with_context(|| format!("writing {}", path.display()))?;
                    }
                    println!("checkpoint of entry {} signed and stored", cp.seq);
                    Ok(())
                }
                None => bail!("the audit log is empty: nothing to sign"),
            }
        }
    }
}

fn parse_rights(names: &[String]) -> anyhow::Result<Rights> {
    names
        .iter()
        .filter(|n| !n.trim().is_empty())
        .map(|n| {
            Right::parse(n.trim()).ok_or_else(|| {
                let known: Vec<&str> = Right::ALL.iter().map(|r| r.name()).collect();
                anyhow::anyhow!("unknown right «{n}»; the rights are: {}", known.join(", "))
            })
        })
        .collect()
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(&config, Arc::new(SystemClock)).await?;
    if let Some(link) = &app.setup_link {
        // Printed, not logged: the link is a one-time secret for the operator's eyes.
        println!("\nNo users yet. Open this one-time link to create the first administrator:\n\n  {link}\n");
    }
    app.run(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

async fn create_user(config: Config, u: CreateUser) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("reading the password from stdin")?;
    let password = password.trim_end_matches(['\n', '\r']).to_string();
    let state = app::state(&config, Arc::new(SystemClock)).await?;
    let rights = if u.all_rights {
        Rights::all()
    } else {
        Rights::self_registered_default()
    };
    let input = ProfileInput {
        login: u.login,
        email: u.email,
        last_name: u.last_name,
        first_name: u.first_name,
        middle_name: u.middle_name,
        position: u.position,
        birth_date: None,
    };
    let audited = |user: &svitok_core::user::User| svitok_db::AuditEvent {
        actor: None,
        action: "user.created_by_cli".into(),
        target: Some(user.id.to_string()),
        client_addr: None,
        outcome: "success",
        details: serde_json::json!({ "login": user.login, "rights": rights.iter().map(|r| r.name()).collect::<Vec<_>>() }),
    };
    let user = accounts::create_active_user(&state, input, &password, rights, audited).await?;
    state.db.close().await;
    println!("created user {} ({})", user.login, user.id);
    Ok(())
}
