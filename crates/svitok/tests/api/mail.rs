//! Mail delivery through a real relay conversation: STARTTLS and implicit TLS with
//! authentication, certificate verification against the organisation's CA, and a clear
//! error when the relay cannot be reached.

use crate::both_backends;
use crate::helpers::{spawn_app_with, Backend, MailSink, SinkTls, PASSWORD};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;

both_backends!(
    codes_go_over_starttls_with_authentication,
    codes_go_over_implicit_tls,
    an_untrusted_relay_certificate_is_refused,
    an_unreachable_relay_gives_a_clear_503,
);

/// A CA and a `localhost` server certificate made with the openssl CLI.
struct Pki {
    dir: PathBuf,
}

impl Pki {
    fn new() -> Pki {
        let dir = std::env::temp_dir().join(format!("svitok-pki-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let run = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(&dir)
                .output()
                .expect("openssl CLI");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=Svitok Test Mail CA",
        ]);
        run(&[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "srv.key",
            "-out",
            "srv.csr",
            "-subj",
            "/CN=localhost",
        ]);
        std::fs::write(
            dir.join("ext.cnf"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        run(&[
            "x509",
            "-req",
            "-in",
            "srv.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "srv.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ]);
        Pki { dir }
    }

    fn acceptor(&self) -> tokio_native_tls::TlsAcceptor {
        let cert = std::fs::read(self.dir.join("srv.pem")).unwrap();
        let key = std::fs::read(self.dir.join("srv.key")).unwrap();
        let identity = native_tls::Identity::from_pkcs8(&cert, &key).unwrap();
        native_tls::TlsAcceptor::new(identity).unwrap().into()
    }

    fn ca(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn registration() -> serde_json::Value {
    json!({"login": "ivanov", "email": "ivanov@example.ru", "password": PASSWORD,
           "last_name": "Иванов", "first_name": "Иван"})
}

async fn codes_go_over_starttls_with_authentication(b: Backend) {
    let pki = Pki::new();
    let relay = MailSink::start_with(SinkTls::StartTls(pki.acceptor())).await;
    let app = spawn_app_with(b, |c| {
        c.smtp_url = Some(format!(
            "smtp://svitok:p%40ss+word@localhost:{}?tls=starttls",
            relay.port
        ));
        c.smtp_ca_file = Some(pki.ca().join("ca.pem"));
    })
    .await;
    app.post("/api/v1/auth/register", registration()).await.ok(202);
    let mail = relay.next("ivanov@example.ru").await;
    assert!(mail.tls, "delivered after STARTTLS");
    assert_eq!(mail.auth_user.as_deref(), Some("svitok"));
    mail.code();
}

async fn codes_go_over_implicit_tls(b: Backend) {
    let pki = Pki::new();
    let relay = MailSink::start_with(SinkTls::Implicit(pki.acceptor())).await;
    let app = spawn_app_with(b, |c| {
        c.smtp_url = Some(format!("smtps://svitok:secret@localhost:{}", relay.port));
        c.smtp_ca_file = Some(pki.ca().join("ca.pem"));
    })
    .await;
    app.post("/api/v1/auth/register", registration()).await.ok(202);
    let mail = relay.next("ivanov@example.ru").await;
    assert!(mail.tls);
    assert_eq!(mail.auth_user.as_deref(), Some("svitok"));
}

async fn an_untrusted_relay_certificate_is_refused(b: Backend) {
    let pki = Pki::new();
    let relay = MailSink::start_with(SinkTls::Implicit(pki.acceptor())).await;
    let app = spawn_app_with(b, |c| {
        c.smtp_url = Some(format!("smtps://svitok:secret@localhost:{}", relay.port));
    })
    .await;
    let r = app.post("/api/v1/auth/register", registration()).await;
    r.problem(503);
    assert_eq!(relay.pending("ivanov@example.ru"), 0);
}

async fn an_unreachable_relay_gives_a_clear_503(b: Backend) {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let app = spawn_app_with(b, |c| c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    let r = app.post("/api/v1/auth/register", registration()).await;
    r.problem(503);
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("Не удалось отправить письмо"),
        "{}",
        r.body
    );
    // The account waits for a code that can be resent once the relay is back.
    let (u, _) = app.state.db.user_by_login_or_email("ivanov").await.unwrap().unwrap();
    assert_eq!(u.status, svitok_core::user::UserStatus::Pending);
}
