//! The test kit: the real application in-process on a free port, against a fresh
//! database (SQLite file, or a new PostgreSQL database in the throwaway cluster named by
//! SVITOK_TEST_DATABASE_URL), with mail delivered over real SMTP to a sink on loopback.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use svitok::app::Application;
use svitok::config::RawConfig;
use svitok_app::App;
use svitok_core::clock::ShiftedClock;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Notify;

pub const ORIGIN: &str = "http://svitok.test";
pub const PASSWORD: &str = "зелёный трамвай едет в 7 утра";

#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

impl Backend {
    /// The PostgreSQL backend, or None (with a loud message) where no cluster is given.
    /// In CI a missing cluster is a failure, not a skip.
    pub fn postgres() -> Option<Backend> {
        match std::env::var("SVITOK_TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => Some(Backend::Postgres(url)),
            _ => {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("CI=true but SVITOK_TEST_DATABASE_URL is not set: the PostgreSQL tests must run in CI");
                }
                eprintln!(
                    "\n*** SKIPPING the PostgreSQL half of this test: set SVITOK_TEST_DATABASE_URL \
                     (e.g. postgres://postgres@127.0.0.1:5433/postgres) to run it ***\n"
                );
                None
            }
        }
    }
}

/// Instantiates each listed `async fn name(backend: Backend)` as `name::sqlite` and
/// `name::postgres`, so every storage test runs on both databases.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(b) = $crate::helpers::Backend::postgres() {
                    super::$name(b).await
                }
            }
        }
    )*};
}

// ---------------------------------------------------------------------------------------
// SMTP sink

#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
    /// Whether the message came over TLS.
    pub tls: bool,
    /// The user name of `AUTH PLAIN`, when the client authenticated.
    pub auth_user: Option<String>,
    /// The access token of `AUTH XOAUTH2`, when the client authenticated so.
    pub auth_token: Option<String>,
}

impl Received {
    /// The one six-digit number in the message (SPEC §8: the code is the only one).
    pub fn code(&self) -> String {
        let text = format!("{}\n{}", self.subject, self.body);
        let mut codes: Vec<&str> = text
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| s.len() == 6)
            .collect();
        codes.dedup();
        assert_eq!(codes.len(), 1, "expected exactly one 6-digit code in {text:?}");
        secret(codes[0]);
        codes[0].to_string()
    }
}

/// How the sink speaks TLS.
#[derive(Clone, Default)]
pub enum SinkTls {
    #[default]
    None,
    /// Plain connection that offers STARTTLS.
    StartTls(tokio_native_tls::TlsAcceptor),
    /// TLS from the first byte (SMTPS).
    Implicit(tokio_native_tls::TlsAcceptor),
}

#[derive(Clone, Default)]
pub struct MailSink {
    inbox: Arc<Mutex<VecDeque<Received>>>,
    arrived: Arc<Notify>,
    tls: SinkTls,
    /// With XOAUTH2: the one access token accepted now (as Gmail accepts only a live one).
    xoauth2: Option<Arc<Mutex<String>>>,
    pub port: u16,
}

type BoxedIo = std::pin::Pin<Box<dyn std::future::Future<Output = std::io::Result<()>> + Send>>;

/// A byte stream, plain or TLS, behind one type (STARTTLS swaps one for the other).
trait Stream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Stream for T {}

impl MailSink {
    pub async fn start() -> MailSink {
        Self::start_with(SinkTls::None).await
    }

    /// A minimal SMTP server: enough of RFC 5321 (and 3207 STARTTLS, 4954 AUTH PLAIN) for
    /// lettre to deliver to it.
    pub async fn start_with(tls: SinkTls) -> MailSink {
        Self::start_full(tls, None).await
    }

    /// A sink that takes `AUTH XOAUTH2` with the token `valid` holds, and refuses others
    /// with 535 (RFC 7628 over SMTP, as Gmail answers an expired token).
    pub async fn start_xoauth2(valid: Arc<Mutex<String>>) -> MailSink {
        Self::start_full(SinkTls::None, Some(valid)).await
    }

    async fn start_full(tls: SinkTls, xoauth2: Option<Arc<Mutex<String>>>) -> MailSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sink = MailSink {
            port: listener.local_addr().unwrap().port(),
            tls,
            xoauth2,
            ..Default::default()
        };
        let s = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let _ = match s.tls.clone() {
                        SinkTls::Implicit(acceptor) => match acceptor.accept(stream).await {
                            Ok(tls) => s.session(Box::new(tls), true, true).await,
                            Err(_) => Ok(()),
                        },
                        _ => s.session(Box::new(stream), false, true).await,
                    };
                });
            }
        });
        sink
    }

    fn session(&self, stream: Box<dyn Stream>, secure: bool, greet: bool) -> BoxedIo {
        let sink = self.clone();
        Box::pin(async move {
            let mut io = BufReader::new(stream);
            if greet {
                io.get_mut().write_all(b"220 sink.test ESMTP\r\n").await?;
            }
            let mut rcpt = Vec::new();
            let mut auth_user = None;
            let mut auth_token = None;
            let mut line = String::new();
            loop {
                line.clear();
                if io.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                let cmd = line.trim_end().to_string();
                let upper = cmd.to_uppercase();
                let reply: &[u8] = if upper.starts_with("EHLO") {
                    let mut r = String::from("250-sink.test\r\n");
                    if matches!(sink.tls, SinkTls::StartTls(_)) && !secure {
                        r.push_str("250-STARTTLS\r\n");
                    }
                    r.push_str(if sink.xoauth2.is_some() {
                        "250-AUTH PLAIN XOAUTH2\r\n"
                    } else {
                        "250-AUTH PLAIN\r\n"
                    });
                    r.push_str("250-8BITMIME\r\n250 SMTPUTF8\r\n");
                    io.get_mut().write_all(r.as_bytes()).await?;
                    continue;
                } else if upper == "STARTTLS" {
                    let SinkTls::StartTls(acceptor) = sink.tls.clone() else {
                        io.get_mut().write_all(b"502 no TLS here\r\n").await?;
                        continue;
                    };
                    io.get_mut().write_all(b"220 go ahead\r\n").await?;
                    let tls = acceptor.accept(io.into_inner()).await.map_err(std::io::Error::other)?;
                    return sink.session(Box::new(tls), true, false).await;
                } else if let Some(arg) = upper.strip_prefix("AUTH PLAIN ").map(|_| cmd[11..].trim().to_string()) {
                    use base64::Engine;
                    let raw = base64::engine::general_purpose::STANDARD
                        .decode(arg)
                        .unwrap_or_default();
                    let parts: Vec<String> = raw
                        .split(|b| *b == 0)
                        .map(|p| String::from_utf8_lossy(p).into_owned())
                        .collect();
                    auth_user = parts.get(1).cloned();
                    b"235 2.7.0 authenticated\r\n"
                } else if let Some(arg) = upper
                    .strip_prefix("AUTH XOAUTH2 ")
                    .map(|_| cmd[13..].trim().to_string())
                {
                    use base64::Engine;
                    let raw = base64::engine::general_purpose::STANDARD
                        .decode(arg)
                        .unwrap_or_default();
                    let text = String::from_utf8_lossy(&raw).into_owned();
                    let field = |name: &str| {
                        text.split('\x01')
                            .find_map(|f| f.strip_prefix(name))
                            .map(str::to_string)
                    };
                    let token = field("auth=Bearer ");
                    let valid = sink.xoauth2.as_ref().map(|v| v.lock().unwrap().clone());
                    if token.is_some() && token == valid {
                        auth_user = field("user=");
                        auth_token = token;
                        b"235 2.7.0 Accepted\r\n"
                    } else {
                        b"535 5.7.8 Username and Password not accepted\r\n"
                    }
                } else if upper.starts_with("RCPT TO:") {
                    rcpt.push(cmd[8..].trim().trim_matches(['<', '>']).to_string());
                    b"250 OK\r\n"
                } else if upper == "DATA" {
                    io.get_mut().write_all(b"354 go on\r\n").await?;
                    let mut raw = Vec::new();
                    loop {
                        let mut l = Vec::new();
                        if io.read_until(b'\n', &mut l).await? == 0 {
                            return Ok(());
                        }
                        if l == b".\r\n" {
                            break;
                        }
                        raw.extend_from_slice(l.strip_prefix(b".").unwrap_or(&l));
                    }
                    let parsed = mail_parser::MessageParser::default()
                        .parse(&raw)
                        .expect("parsable mail");
                    let msg = Received {
                        to: std::mem::take(&mut rcpt),
                        subject: parsed.subject().unwrap_or_default().to_string(),
                        body: parsed.body_text(0).unwrap_or_default().to_string(),
                        tls: secure,
                        auth_user: auth_user.clone(),
                        auth_token: auth_token.clone(),
                    };
                    sink.inbox.lock().unwrap().push_back(msg);
                    sink.arrived.notify_waiters();
                    b"250 queued\r\n"
                } else if upper == "QUIT" {
                    io.get_mut().write_all(b"221 bye\r\n").await?;
                    return Ok(());
                } else {
                    // HELO, MAIL FROM, RSET, NOOP
                    b"250 OK\r\n"
                };
                io.get_mut().write_all(reply).await?;
            }
        })
    }

    fn take(&self, to: &str) -> Option<Received> {
        let mut inbox = self.inbox.lock().unwrap();
        let i = inbox
            .iter()
            .position(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(to)))?;
        inbox.remove(i)
    }

    /// The next message to `to`, waiting up to 10 s for it.
    pub async fn next(&self, to: &str) -> Received {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.arrived.notified();
            if let Some(m) = self.take(to) {
                return m;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("no mail to {to} within 10 s");
            }
        }
    }

    /// The next message to `to` that carries a one-time code, passing over notices (about
    /// documents sent) that the server mails in the background in no fixed order.
    pub async fn next_code(&self, to: &str) -> String {
        loop {
            let m = self.next(to).await;
            if m.subject.contains("код") {
                return m.code();
            }
        }
    }

    /// Messages to `to` not yet taken.
    pub fn pending(&self, to: &str) -> usize {
        let inbox = self.inbox.lock().unwrap();
        inbox
            .iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(to)))
            .count()
    }
}

// ---------------------------------------------------------------------------------------
// The application

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub mail: MailSink,
    pub clock: Arc<ShiftedClock>,
    pub state: App,
    pub setup_link: Option<String>,
    pub data_dir: PathBuf,
    pub database_url: String,
}

pub async fn fresh_database(backend: &Backend, data_dir: &std::path::Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}", data_dir.join("svitok.db").display()),
        Backend::Postgres(admin_url) => {
            use sqlx::Connection;
            let name = format!("svitok_t_{}", uuid::Uuid::new_v4().simple());
            let mut conn = sqlx::PgConnection::connect(admin_url)
                .await
                .expect("connect to the test cluster");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
            let mut url = url::Url::parse(admin_url).unwrap();
            url.set_path(&format!("/{name}"));
            url.to_string()
        }
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

// ---------------------------------------------------------------------------------------
// Logs and secrets (SECURITY 36, 37): every test process writes its log, formatted as the
// server formats it, to <dir>/<pid>.log, and every secret the tests handle (passwords,
// codes, tokens, TOTP secrets) to <dir>/<pid>.secrets; scripts/test.sh scans them all
// after the suite.

fn log_dir() -> PathBuf {
    std::env::var_os("SVITOK_TEST_LOG_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("svitok-test-logs"))
}

struct SharedFile(Arc<Mutex<std::fs::File>>);

impl std::io::Write for SharedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.lock().unwrap().flush()
    }
}

/// This process's log file, with the subscriber writing to it installed once.
pub fn capture_logs() -> PathBuf {
    static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let dir = log_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{}.log", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap();
        let file = Arc::new(Mutex::new(file));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "warn,svitok=info,svitok_web=info,svitok_app=info,svitok_db=info,svitok_mail=info,svitok_storage=info,tower_http=info",
            ))
            .with_ansi(false)
            .without_time()
            .with_writer(move || svitok::app::OneLine(SharedFile(file.clone())))
            .try_init();
        path
    })
    .clone()
}

/// Notes a secret the tests handle, for the scan of every log line after the suite.
pub fn secret(value: &str) {
    use std::io::Write;
    if value.len() < 6 || value.contains('\n') {
        return;
    }
    let dir = log_dir();
    let _ = std::fs::create_dir_all(&dir);
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(format!("{}.secrets", std::process::id())))
    {
        let _ = writeln!(f, "{value}");
    }
}

/// The secrets a JSON body carries under the names the API gives them.
fn note_secrets(body: &Value) {
    if let Some(map) = body.as_object() {
        for key in [
            "token",
            "secret",
            "secret_base32",
            "password",
            "new_password",
            "current_password",
            "code",
        ] {
            if let Some(v) = map.get(key).and_then(Value::as_str) {
                // A "password" shorter than the policy's 10 characters is a guess (`admin`,
                // `svitok`), not a secret.
                let real = match key {
                    "code" => v.len() == 6 && v.bytes().all(|b| b.is_ascii_digit()),
                    k if k.ends_with("password") => v.chars().count() >= 10,
                    _ => v.len() >= 16,
                };
                if real {
                    secret(v);
                }
            }
        }
    }
}

pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut RawConfig)) -> TestApp {
    spawn_app_with_mail(backend, MailSink::start().await, tweak).await
}

/// [`spawn_app_with`] delivering to `mail`.
pub async fn spawn_app_with_mail(backend: Backend, mail: MailSink, tweak: impl FnOnce(&mut RawConfig)) -> TestApp {
    capture_logs();
    secret(PASSWORD);
    let data_dir = std::env::temp_dir().join(format!("svitok-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let database_url = fresh_database(&backend, &data_dir).await;
    let mut raw = RawConfig {
        listen: "127.0.0.1:0".into(),
        public_url: Some(ORIGIN.into()),
        data_dir: data_dir.clone(),
        database_url: Some(database_url.clone()),
        smtp_url: Some(format!("smtp://127.0.0.1:{}", mail.port)),
        log: "warn".into(),
        ..RawConfig::default()
    };
    tweak(&mut raw);
    let config = raw.validate().expect("valid test config");
    let clock = Arc::new(ShiftedClock::default());
    let app = Application::build(&config, clock.clone()).await.expect("app starts");
    let base = format!("http://{}", app.addr);
    let state = app.state.clone();
    let setup_link = app.setup_link.clone();
    tokio::spawn(app.run(std::future::pending()));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let t = TestApp {
        base,
        http,
        mail,
        clock,
        state,
        setup_link,
        data_dir,
        database_url,
    };
    // Readiness check, not a sleep.
    for _ in 0..100 {
        if let Ok(r) = t.http.get(t.url("/readyz")).send().await {
            if r.status() == StatusCode::OK {
                return t;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the app did not become ready");
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Asserts an RFC 9457 problem with `status`.
    pub fn problem(&self, status: u16) -> &Self {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(
            self.headers.get("content-type").map(|v| v.to_str().unwrap()),
            Some("application/problem+json"),
            "a problem must be application/problem+json: {}",
            self.body
        );
        assert_eq!(self.body["status"], status);
        assert!(self.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
        self
    }

    pub fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        &self.body
    }
}

pub struct Account {
    pub login: String,
    pub email: String,
    pub password: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        let res = req.send().await.expect("request sent");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.unwrap();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        note_secrets(&body);
        Reply { status, headers, body }
    }

    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            note_secrets(&b);
            req = req.json(&b);
        }
        self.send(req).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, None, Some(body)).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub fn account(login: &str) -> Account {
        Account {
            login: login.into(),
            email: format!("{login}@example.ru"),
            password: PASSWORD.into(),
        }
    }

    /// Registration as a person does it: register, read the code from the mail, confirm.
    pub async fn register(&self, login: &str) -> Account {
        let a = Self::account(login);
        self.post(
            "/api/v1/auth/register",
            json!({"login": a.login, "email": a.email, "password": a.password,
                   "last_name": "Иванов", "first_name": "Иван", "middle_name": "Иванович"}),
        )
        .await
        .ok(202);
        let code = self.mail.next(&a.email).await.code();
        self.post("/api/v1/auth/register/confirm", json!({"email": a.email, "code": code}))
            .await
            .ok(200);
        a
    }

    /// Password step; returns the challenge id.
    pub async fn start_login(&self, a: &Account) -> String {
        let r = self
            .post("/api/v1/auth/login", json!({"login": a.login, "password": a.password}))
            .await;
        r.ok(200)["challenge"].as_str().unwrap().to_string()
    }

    /// The full two-step login; returns the bearer token.
    pub async fn login(&self, a: &Account) -> String {
        let challenge = self.start_login(a).await;
        let code = self.mail.next_code(&a.email).await;
        let r = self
            .post(
                "/api/v1/auth/login/verify",
                json!({"challenge": challenge, "code": code}),
            )
            .await;
        r.ok(200)["token"].as_str().unwrap().to_string()
    }

    pub async fn user_id(&self, token: &str) -> svitok_core::ids::UserId {
        let me = self.get("/api/v1/me", token).await;
        me.ok(200)["id"].as_str().unwrap().parse().unwrap()
    }

    pub fn advance(&self, by: time::Duration) {
        self.clock.advance(by);
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

// ---------------------------------------------------------------------------------------
// Administration helpers

pub const ALL_RIGHTS: [&str; 7] = [
    "manage_own_documents",
    "send_documents",
    "create_documents",
    "sign_documents",
    "view_statistics",
    "manage_users",
    "grant_rights",
];

/// `{"right": bool, …}` with exactly `on` switched on.
pub fn rights_json(on: &[&str]) -> Value {
    Value::Object(
        ALL_RIGHTS
            .iter()
            .map(|r| (r.to_string(), Value::Bool(on.contains(r))))
            .collect(),
    )
}

impl TestApp {
    /// The first administrator through the setup link; returns (account, token).
    pub async fn admin(&self) -> (Account, String) {
        let link = self.setup_link.as_ref().expect("a fresh app has a setup link");
        let token = link.rsplit('/').next().unwrap();
        let a = Account {
            login: "admin".into(),
            email: "admin@example.ru".into(),
            password: PASSWORD.into(),
        };
        self.post(
            "/api/v1/setup",
            json!({"token": token, "login": a.login, "email": a.email, "password": a.password,
                   "last_name": "Админова", "first_name": "Анна"}),
        )
        .await
        .ok(201);
        let t = self.login(&a).await;
        (a, t)
    }

    /// An administrator creates a user with `rights`; the user sets its password from the
    /// invitation mail. Returns (account, id).
    pub async fn invite(&self, admin: &str, login: &str, rights: &[&str]) -> (Account, String) {
        let a = Self::account(login);
        let r = self
            .call(
                Method::POST,
                "/api/v1/users",
                Some(admin),
                Some(
                    json!({"login": login, "email": a.email, "last_name": "Сотрудник", "first_name": login,
                            "rights": rights_json(rights)}),
                ),
            )
            .await;
        let id = r.ok(201)["id"].as_str().unwrap().to_string();
        let code = self.mail.next(&a.email).await.code();
        let r = self
            .post(
                "/api/v1/auth/password/reset/confirm",
                json!({"email": a.email, "code": code, "password": a.password}),
            )
            .await;
        assert_eq!(r.status, 204, "{}", r.body);
        (a, id)
    }

    /// Uploads `data` as the `file` part of a `multipart/form-data` POST to `path`.
    pub async fn upload_to(&self, path: &str, token: &str, name: &str, data: Vec<u8>) -> Reply {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(data).file_name(name.to_string()),
        );
        self.send(self.http.post(self.url(path)).bearer_auth(token).multipart(form))
            .await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(token), Some(body)).await
    }

    pub async fn post_as(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.call(Method::DELETE, path, Some(token), None).await
    }
}

/// SQL straight to the app's database, behind the application's back: how a test plays
/// someone who edits the database.
pub async fn raw_sql(app: &TestApp, sql: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    sqlx::query(sql).execute(&pool).await.unwrap();
    pool.close().await;
}

/// Every file under `dir` (the blob store, in tests that look at what is stored).
pub fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Test peers: real servers the tests talk to (moto for S3, chromedriver for Chromium)

/// A peer running as a child process on `port`; killed and reaped when dropped.
pub struct Peer {
    pub port: u16,
    child: std::process::Child,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A peer's program, or `None` to skip the test with a loud message — except in CI
/// (`CI=true`), where a missing peer fails the run.
pub fn peer_binary(found: Option<PathBuf>, test: &str, install: &str) -> Option<PathBuf> {
    if found.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but {test} cannot run: {install}");
        }
        eprintln!("\n*** SKIPPING {test}: {install} ***\n");
    }
    found
}

/// A free TCP port on the loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `bin` with `args` on `port` and waits until it accepts connections.
pub async fn start_peer(bin: &std::path::Path, args: &[String], port: u16) -> Peer {
    let child = std::process::Command::new(bin)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{} starts: {e}", bin.display()));
    // Owned by the guard at once, so it is killed on every path.
    let peer = Peer { port, child };
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return peer;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{} did not start listening on {port}", bin.display());
}
