//! The real `svitok` binary: configuration errors, `user create`, and what it logs.

use crate::both_backends;
use crate::helpers::{spawn_app, Account, Backend, PASSWORD};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

both_backends!(
    cli_user_create_makes_a_user_who_can_log_in,
    cli_manages_rights_blocking_and_groups,
    a_lost_master_key_is_never_silently_replaced,
);

/// Issue 12, finding 20: a new master key beside sealed data would open none of it.
async fn a_lost_master_key_is_never_silently_replaced(b: crate::helpers::Backend) {
    let app = crate::helpers::spawn_app(b).await;
    let key = app.data_dir.join("master.key");
    assert!(key.exists());
    std::fs::rename(&key, app.data_dir.join("master.key.backup")).unwrap();
    let (ok, out) = run_cli(&app, &["group", "create", "Канцелярия"], None);
    assert!(
        !ok && out.contains("master key") && out.contains("missing") && out.contains("backup"),
        "{out}"
    );
    assert!(!key.exists(), "no new master key was made");
}

/// `svitok verify` without --ca on a directory with nothing in it creates nothing.
#[test]
fn verify_without_a_server_creates_nothing() {
    let dir = std::env::temp_dir().join(format!("svitok-empty-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("doc"), b"x").unwrap();
    std::fs::write(dir.join("doc.p7s"), b"x").unwrap();
    let out = svitok(&dir)
        .args(["verify", "doc", "doc.p7s"])
        .env("SVITOK_DATA_DIR", dir.join("data"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && text.contains("--ca"), "{text}");
    assert!(
        !dir.join("data").exists(),
        "svitok verify made {:?}",
        std::fs::read_dir(&dir).unwrap().collect::<Vec<_>>()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn svitok(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_svitok"));
    c.current_dir(dir)
        .env_remove("SVITOK_DATABASE_URL")
        .env("SVITOK_LOG", "warn");
    c
}

/// Runs the real binary against the test app's database; (success, stdout + stderr).
pub fn run_cli(app: &crate::helpers::TestApp, args: &[&str], stdin: Option<&str>) -> (bool, String) {
    let mut child = svitok(&app.data_dir)
        .args(args)
        .env("SVITOK_DATA_DIR", &app.data_dir)
        .env("SVITOK_DATABASE_URL", &app.database_url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        writeln!(child.stdin.take().unwrap(), "{text}").unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

async fn cli_manages_rights_blocking_and_groups(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    let (ok, out) = run_cli(
        &app,
        &[
            "user",
            "set-rights",
            "ivanov",
            "--grant",
            "sign_documents,view_statistics",
            "--revoke",
            "send_documents",
        ],
        None,
    );
    assert!(ok, "{out}");
    let rights = app.get("/api/v1/me", &token).await.ok(200)["rights"].clone();
    assert_eq!(
        rights,
        crate::helpers::rights_json(&[
            "manage_own_documents",
            "create_documents",
            "sign_documents",
            "view_statistics"
        ])
    );
    let (ok, out) = run_cli(&app, &["user", "set-rights", "ivanov", "--grant", "root"], None);
    assert!(!ok && out.contains("unknown right"), "{out}");
    let (ok, out) = run_cli(
        &app,
        &["group", "create", "Канцелярия", "--description", "Входящие и исходящие"],
        None,
    );
    assert!(ok, "{out}");
    let (ok, out) = run_cli(&app, &["group", "add-member", "канцелярия", "ivanov"], None);
    assert!(ok, "{out}");
    let me = app.get("/api/v1/me", &token).await.ok(200).clone();
    assert_eq!(me["groups"].as_array().unwrap().len(), 1);
    let (ok, out) = run_cli(&app, &["user", "block", "ivanov"], None);
    assert!(ok, "{out}");
    app.get("/api/v1/me", &token).await.problem(401);
    let (ok, out) = run_cli(&app, &["user", "unblock", "ivanov"], None);
    assert!(ok, "{out}");
    let (ok, out) = run_cli(&app, &["user", "block", "nobody"], None);
    assert!(!ok, "{out}");
    // The operator's actions are in the audit log.
    let r = app.get("/api/v1/audit?action=user.blocked", &admin).await;
    assert_eq!(r.ok(200)["items"][0]["details"]["via"], "cli");
}

fn temp_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("svitok-cli-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

async fn cli_user_create_makes_a_user_who_can_log_in(b: Backend) {
    let app = spawn_app(b).await;
    let mut child = svitok(&app.data_dir)
        .args([
            "user",
            "create",
            "--login",
            "admin",
            "--email",
            "admin@example.ru",
            "--last-name",
            "Иванова",
        ])
        .args(["--first-name", "Мария", "--all-rights", "--password-stdin"])
        .env("SVITOK_DATA_DIR", &app.data_dir)
        .env("SVITOK_DATABASE_URL", &app.database_url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("created user admin"));
    let token = app
        .login(&Account {
            login: "admin".into(),
            email: "admin@example.ru".into(),
            password: PASSWORD.into(),
        })
        .await;
    let me = app.get("/api/v1/me", &token).await;
    assert!(me.ok(200)["rights"].as_object().unwrap().values().all(|v| v == true));
}

#[test]
fn cli_user_create_refuses_a_weak_password() {
    let dir = temp_dir();
    let mut child = svitok(&dir)
        .args([
            "user",
            "create",
            "--login",
            "admin",
            "--email",
            "a@example.ru",
            "--last-name",
            "И",
        ])
        .args(["--first-name", "И", "--password-stdin"])
        .env("SVITOK_DATA_DIR", dir.join("data"))
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "password1").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    // The command line speaks English, the domain's refusals too.
    assert!(String::from_utf8_lossy(&out.stderr).contains("A password must have at least"));
    let _ = std::fs::remove_dir_all(dir);
}

/// A bad setting stops the binary with exit code 2 and one line naming the variable.
#[test]
fn bad_configuration_stops_with_one_line_naming_the_key() {
    let dir = temp_dir();
    // (environment, svitok.toml, what the error must name)
    type Case<'a> = (Vec<(&'a str, &'a str)>, Option<&'a str>, &'a str);
    let cases: Vec<Case> = vec![
        (vec![("SVITOK_LISTEN", "not-an-address")], None, "SVITOK_LISTEN"),
        (vec![("SVITOK_REGISTRATION", "sometimes")], None, "SVITOK_REGISTRATION"),
        (
            vec![("SVITOK_SESSION_IDLE_MINUTES", "many")],
            None,
            "SVITOK_SESSION_IDLE_MINUTES",
        ),
        (vec![], Some("registration = \"bogus\"\n"), "SVITOK_REGISTRATION"),
        (vec![], Some("databse_url = \"sqlite://x.db\"\n"), "databse_url"),
        (vec![], Some("this is not toml"), "svitok.toml"),
    ];
    for (env, toml, key) in cases {
        let _ = std::fs::remove_file(dir.join("svitok.toml"));
        if let Some(t) = toml {
            std::fs::write(dir.join("svitok.toml"), t).unwrap();
        }
        let out = svitok(&dir).arg("migrate").envs(env.clone()).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{env:?} {toml:?}: {err}");
        assert!(err.contains(key), "{key} not named in {err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    }
    let out = svitok(&dir)
        .args(["--config", "missing.toml", "migrate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(dir);
}

/// `svitok.toml` is read, and `SVITOK_*` variables override it.
#[test]
fn config_file_is_read_and_environment_overrides_it() {
    let dir = temp_dir();
    std::fs::write(dir.join("svitok.toml"), "data_dir = \"from-file\"\n").unwrap();
    let out = svitok(&dir).arg("migrate").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.join("from-file/svitok.db").exists());
    let out = svitok(&dir)
        .arg("migrate")
        .env("SVITOK_DATA_DIR", dir.join("from-env"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(dir.join("from-env/svitok.db").exists());
    let _ = std::fs::remove_dir_all(dir);
}

fn outbox_code(outbox: &Path, seen: &mut Vec<std::path::PathBuf>) -> String {
    for _ in 0..200 {
        let mut files: Vec<_> = std::fs::read_dir(outbox)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        if let Some(f) = files.into_iter().find(|f| !seen.contains(f)) {
            seen.push(f.clone());
            let raw = std::fs::read(&f).unwrap();
            let msg = mail_parser::MessageParser::default().parse(&raw).unwrap();
            let text = format!(
                "{}\n{}",
                msg.subject().unwrap_or(""),
                msg.body_text(0).unwrap_or_default()
            );
            let mut codes: Vec<&str> = text
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| s.len() == 6)
                .collect();
            codes.dedup();
            return codes[0].to_string();
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    panic!("no mail in the outbox");
}

/// SECURITY 25 and 36: after a whole session of use with debug logging, no log line
/// holds a password, a code, a token, a TOTP secret or the setup secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_the_log() {
    let dir = temp_dir();
    let mut child = svitok(&dir)
        .arg("serve")
        .env("SVITOK_DATA_DIR", dir.join("data"))
        .env("SVITOK_LISTEN", "127.0.0.1:0")
        .env("SVITOK_LOG", "debug")
        .env("SVITOK_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut log = Vec::new();
    let addr = loop {
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("the server starts");
        log.push(line.clone());
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
            if let Some(a) = v["addr"].as_str() {
                break a.to_string();
            }
        }
    };
    let base = format!("http://{addr}");
    let http = reqwest::Client::new();
    let post = |path: &str, body: serde_json::Value, token: Option<&str>| {
        let mut r = http.post(format!("{base}{path}")).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        async move {
            let res = r.send().await.unwrap();
            let status = res.status();
            (status, res.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    let outbox = dir.join("data/outbox");
    let mut seen = Vec::new();
    let mut secrets = vec![PASSWORD.to_string()];
    let reg = serde_json::json!({"login": "ivanov", "email": "ivanov@example.ru", "password": PASSWORD,
                                 "last_name": "Иванов", "first_name": "Иван"});
    assert_eq!(post("/api/v1/auth/register", reg, None).await.0, 202);
    let code = outbox_code(&outbox, &mut seen);
    secrets.push(code.clone());
    post(
        "/api/v1/auth/register/confirm",
        serde_json::json!({"email": "ivanov@example.ru", "code": code}),
        None,
    )
    .await;
    let (_, ch) = post(
        "/api/v1/auth/login",
        serde_json::json!({"login": "ivanov", "password": PASSWORD}),
        None,
    )
    .await;
    let code = outbox_code(&outbox, &mut seen);
    secrets.push(code.clone());
    let (_, s) = post(
        "/api/v1/auth/login/verify",
        serde_json::json!({"challenge": ch["challenge"], "code": code}),
        None,
    )
    .await;
    let token = s["token"].as_str().unwrap().to_string();
    secrets.push(token.clone());
    let (_, t) = post("/api/v1/me/tokens", serde_json::json!({"name": "ci"}), Some(&token)).await;
    secrets.push(t["token"].as_str().unwrap().to_string());
    let (_, totp) = post(
        "/api/v1/me/totp",
        serde_json::json!({"password": PASSWORD}),
        Some(&token),
    )
    .await;
    secrets.push(totp["secret"].as_str().unwrap().to_string());
    // A wrong password and a wrong code are logged as failures, never as values.
    post(
        "/api/v1/auth/login",
        serde_json::json!({"login": "ivanov", "password": "неверный пароль 12345"}),
        None,
    )
    .await;
    secrets.push("неверный пароль 12345".into());
    post("/api/v1/auth/logout", serde_json::json!({}), Some(&token)).await;

    let mut stdout = String::new();
    child.kill().unwrap();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
    let setup_secret = stdout
        .split("/setup/")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    secrets.push(setup_secret);
    let _ = child.wait();
    while let Ok(line) = rx.recv_timeout(std::time::Duration::from_millis(500)) {
        log.push(line);
    }
    assert!(log.len() > 10, "debug logging produced lines");
    for line in &log {
        for s in &secrets {
            assert!(!line.contains(s.as_str()), "secret {s:?} in log line {line}");
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// SIGTERM (SPEC §13): new connections are refused at once, the request in flight (a
/// body still arriving) is answered, and the process exits 0 within the grace.
#[test]
fn sigterm_finishes_what_is_in_flight_and_exits_0() {
    use std::io::Read;
    let dir = std::env::temp_dir().join(format!("svitok-stop-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = crate::helpers::free_port();
    let mut child = svitok(&dir)
        .arg("serve")
        .env("SVITOK_DATA_DIR", dir.join("data"))
        .env("SVITOK_LISTEN", format!("127.0.0.1:{port}"))
        .env("SVITOK_SHUTDOWN_GRACE_SECONDS", "20")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = format!("127.0.0.1:{port}");
    let mut up = false;
    for _ in 0..300 {
        if let Ok(mut s) = std::net::TcpStream::connect(&addr) {
            let _ = s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut r = String::new();
            let _ = s.read_to_string(&mut r);
            if r.starts_with("HTTP/1.1 200") {
                up = true;
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(up, "the server came up");
    // A request in flight: its body is only half sent.
    let body = br#"{"login": "nobody", "password": "not the password at all"}"#;
    let mut inflight = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        inflight,
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    inflight.write_all(&body[..10]).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    // New connections are refused soon after.
    let mut refused = false;
    for _ in 0..100 {
        if std::net::TcpStream::connect(&addr).is_err() {
            refused = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(refused, "no new connections while draining");
    // The rest of the body arrives, and the answer comes.
    inflight.write_all(&body[10..]).unwrap();
    let mut answer = String::new();
    inflight.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "answered: {answer}");
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "exited within the grace"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut log = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut log);
    assert_eq!(status.code(), Some(0), "{log}");
    let _ = std::fs::remove_dir_all(&dir);
}
