//! The whole story in real headless Chromium, three people at once: a newcomer registers,
//! uploads a file and sends it to a group; a member of the group takes it, moves it on
//! and signs it; the newcomer sees the status and the signature; an administrator
//! creates a user and toggles its rights, and that user sees only what they allow.
//! Every page visited must leave no error in the browser's console.

use crate::helpers::{Backend, TestApp};
use fantoccini::{Client, Locator};
use serde_json::json;
use std::path::{Path, PathBuf};

type Step<T = ()> = Result<T, fantoccini::error::CmdError>;

/// The browser's console log (chromedriver's `se/log`), drained on each call.
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base: &reqwest::Url, session: Option<&str>) -> Result<reqwest::Url, UrlError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &reqwest::Url) -> (reqwest::Method, Option<String>) {
        (reqwest::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}

/// `url::ParseError`, named through reqwest's re-export of `Url`.
type UrlError = <reqwest::Url as std::str::FromStr>::Err;

/// Console errors since the last look.
async fn console_errors(c: &Client) -> Step<Vec<String>> {
    let log = c.issue_cmd(BrowserLog).await?;
    Ok(log
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["level"] == "SEVERE")
        .map(|e| e["message"].as_str().unwrap_or_default().to_string())
        .collect())
}

struct Browser {
    c: Client,
    name: &'static str,
    shots: PathBuf,
}

impl Browser {
    async fn open(driver_port: u16, name: &'static str, shots: &Path) -> Browser {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            // A Russian-speaking office: the browser asks for Russian pages.
            json!({"args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                            "--disable-component-update", "--no-first-run", "--window-size=1200,900", "--lang=ru-RU"],
                   "prefs": {"intl.accept_languages": "ru-RU,ru"}}),
        );
        caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        let c = fantoccini::ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{driver_port}"))
            .await
            .expect("chromedriver answers");
        Browser {
            c,
            name,
            shots: shots.to_path_buf(),
        }
    }

    /// After each page: nothing went wrong in the console.
    async fn clean(&self, page: &str) -> Step {
        let errors = console_errors(&self.c).await?;
        assert!(errors.is_empty(), "{}: console errors on {page}: {errors:?}", self.name);
        Ok(())
    }

    async fn shot(&self, file: &str) -> Step {
        std::fs::write(self.shots.join(file), self.c.screenshot().await?).unwrap();
        Ok(())
    }

    async fn fill(&self, id: &str, text: &str) -> Step {
        let field = self.c.find(Locator::Id(id)).await?;
        field.clear().await?;
        field.send_keys(text).await
    }

    async fn click(&self, css: &str) -> Step {
        self.c.find(Locator::Css(css)).await?.click().await
    }

    /// Clicks something that loads a new page, and waits until the old one is gone (so
    /// that nothing found next belongs to the page being left).
    async fn submit(&self, css: &str) -> Step {
        let old = self.c.find(Locator::Css("html")).await?;
        self.click(css).await?;
        for _ in 0..100 {
            if old.text().await.is_err() {
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("{}: clicking {css} loaded no new page", self.name);
    }

    /// Waits (up to 10 s) until the element's text contains `needle`.
    async fn wait_text(&self, css: &str, needle: &str) -> Step<String> {
        let mut last = String::new();
        for _ in 0..100 {
            if let Ok(e) = self.c.find(Locator::Css(css)).await {
                last = e.text().await.unwrap_or_default();
                if last.contains(needle) {
                    return Ok(last);
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("{}: «{needle}» never appeared in {css}; last: {last}", self.name);
    }

    /// Password, then the mailed code; lands on the inbox.
    async fn sign_in(&self, app: &TestApp, login: &str, password: &str, email: &str) -> Step {
        self.c.goto(&app.url("/login")).await?;
        self.fill("login", login).await?;
        self.fill("password", password).await?;
        self.click("main button[type=submit]").await?;
        self.c.wait().for_element(Locator::Id("code")).await?;
        self.clean("the code page").await?;
        self.fill("code", &app.mail.next_code(email).await).await?;
        self.click("main button[type=submit]").await?;
        self.wait_text("main h1", "Входящие").await?;
        self.clean("the inbox").await
    }

    /// On failure: what the browser showed, beside the screenshots.
    async fn explain(&self) {
        if let Ok(png) = self.c.screenshot().await {
            std::fs::write(self.shots.join(format!("failure-{}.png", self.name)), png).unwrap();
        }
        if let Ok(html) = self.c.source().await {
            eprintln!("{} at failure:\n{html}", self.name);
        }
    }
}

#[tokio::test]
async fn chromium_register_upload_send_take_sign_and_administer() {
    let Some(driver) = super::ui::chromedriver().await else {
        return;
    };
    let port = crate::helpers::free_port();
    let app = crate::helpers::spawn_app_with(Backend::Sqlite, |c| {
        c.listen = format!("127.0.0.1:{port}");
        c.public_url = Some(format!("http://127.0.0.1:{port}"));
    })
    .await;
    let (admin, token) = app.admin().await;
    let (clerk, clerk_id) = app
        .invite(
            &token,
            "clerk",
            &["send_documents", "manage_own_documents", "sign_documents"],
        )
        .await;
    let g = app
        .post_as("/api/v1/groups", &token, json!({"name": "Канцелярия"}))
        .await;
    let gid = g.ok(201)["id"].as_str().unwrap().to_string();
    app.put(&format!("/api/v1/groups/{gid}/members/{clerk_id}"), &token, json!({}))
        .await
        .ok(204);
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let upload_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("upload");
    std::fs::create_dir_all(&upload_dir).unwrap();
    let file = upload_dir.join("Служебная записка.txt");
    std::fs::write(&file, "Прошу выделить два ноутбука для отдела.\n".repeat(2000)).unwrap();

    let owner = Browser::open(driver.port, "owner", &shots).await;
    let member = Browser::open(driver.port, "member", &shots).await;
    let chief = Browser::open(driver.port, "admin", &shots).await;
    let email = "orlova@example.ru";
    let password = "длинный пароль орловой";
    let run = async {
        // The newcomer registers and confirms the address with the mailed code.
        owner.c.goto(&app.url("/login")).await?;
        owner.c.find(Locator::LinkText("Регистрация")).await?.click().await?;
        owner.c.wait().for_element(Locator::Id("last_name")).await?;
        for (id, text) in [
            ("last_name", "Орлова"),
            ("first_name", "Дарья"),
            ("login", "orlova"),
            ("email", email),
            ("password", password),
            ("position", "Делопроизводитель"),
        ] {
            owner.fill(id, text).await?;
        }
        owner.shot("register.png").await?;
        owner.click("main button[type=submit]").await?;
        owner.c.wait().for_element(Locator::Id("code")).await?;
        owner.clean("the confirmation page").await?;
        owner.fill("code", &app.mail.next(email).await.code()).await?;
        owner.click("main button[type=submit]").await?;
        owner.wait_text("main", "Адрес подтверждён").await?;
        owner.sign_in(&app, "orlova", password, email).await?;

        // Uploads a file (the page's script sends it with a progress bar) ...
        owner.c.find(Locator::LinkText("Создать")).await?.click().await?;
        owner.c.wait().for_element(Locator::Id("file")).await?;
        owner.clean("the new document page").await?;
        owner
            .c
            .find(Locator::Id("file"))
            .await?
            .send_keys(file.to_str().unwrap())
            .await?;
        owner.fill("upload-title", "Служебная записка о ноутбуках").await?;
        owner.shot("new_document.png").await?;
        owner.click("form.upload button[type=submit]").await?;
        owner.wait_text("main h1", "Служебная записка о ноутбуках").await?;
        owner.wait_text("main table.list", "Служебная записка.txt").await?;
        owner.clean("the card after the upload").await?;
        let card = owner.c.current_url().await?.to_string();

        // ... and sends it to the group, handing over responsibility.
        owner.c.find(Locator::LinkText("Отправить")).await?.click().await?;
        owner.fill("q", "Канц").await?;
        owner.submit("button[name=find]").await?;
        owner
            .c
            .wait()
            .for_element(Locator::Css(&format!("input[value='group:{gid}']")))
            .await?;
        owner.click(&format!("input[value='group:{gid}']")).await?;
        owner.click("input[name=hand_over]").await?;
        owner.fill("comment", "Прошу исполнить").await?;
        owner.shot("send.png").await?;
        owner.clean("the send dialog").await?;
        owner
            .submit("main form[method=post] .actions button[type=submit]")
            .await?;
        owner.wait_text(".responsible", "Канцелярия").await?;

        // A member of the group finds it, takes it, moves it on and signs it.
        member
            .sign_in(&app, &clerk.login, &clerk.password, &clerk.email)
            .await?;
        member.wait_text("main", "Прошу исполнить").await?;
        member
            .c
            .find(Locator::LinkText("Служебная записка о ноутбуках"))
            .await?
            .click()
            .await?;
        member.c.wait().for_element(Locator::Css("dl.facts")).await?;
        member.submit("form[action$='/take'] button").await?;
        member.wait_text(".responsible", "Сотрудник clerk").await?;
        member.submit("button[value=in_review]").await?;
        member.wait_text("main .status", "На согласовании").await?;
        member.clean("the card after taking it").await?;
        member.click("form[action$='/sign'] button").await?;
        member.c.wait().for_element(Locator::Id("code")).await?;
        member.fill("code", &app.mail.next_code(&clerk.email).await).await?;
        member.click("main button[type=submit]").await?;
        member.c.wait().for_element(Locator::LinkText(".p7s")).await?;
        member.clean("the signed card").await?;
        member.shot("member_signed.png").await?;

        // The owner sees the new status and a valid signature.
        owner.c.goto(&card).await?;
        owner.wait_text("main .status", "На согласовании").await?;
        owner.wait_text("main", "Сотрудник clerk").await?;
        owner.c.find(Locator::LinkText("проверить")).await?.click().await?;
        owner.wait_text(".check-valid", "верна").await?;
        owner.clean("the owner's card").await?;
        owner.shot("owner_sees_signature.png").await?;

        // A phone 360 px wide: no page scrolls sideways.
        owner.c.set_window_size(360, 740).await?;
        let mut pages = vec![card.clone()];
        pages.extend(["/inbox", "/documents", "/documents/new", "/profile", "/groups"].map(|p| app.url(p)));
        for path in &pages {
            owner.c.goto(path).await?;
            owner.c.wait().for_element(Locator::Css("main h1")).await?;
            let widths = owner
                .c
                .execute(
                    "return [document.documentElement.scrollWidth, window.innerWidth];",
                    vec![],
                )
                .await?;
            let (page_w, window_w) = (widths[0].as_i64().unwrap(), widths[1].as_i64().unwrap());
            assert!(
                page_w <= window_w,
                "{path} is {page_w} px wide in a {window_w} px window"
            );
        }
        owner.c.goto(&card).await?;
        owner.c.wait().for_element(Locator::Css("dl.facts")).await?;
        owner.shot("card_360.png").await?;
        owner.c.set_window_size(1200, 900).await?;

        // The administrator creates a user with one right, then turns on another.
        app.advance(time::Duration::seconds(61)); // the set-up signed the administrator in
        chief.sign_in(&app, &admin.login, &admin.password, &admin.email).await?;
        chief.c.find(Locator::LinkText("Пользователи")).await?.click().await?;
        chief
            .c
            .find(Locator::LinkText("Создать пользователя"))
            .await?
            .click()
            .await?;
        chief.c.wait().for_element(Locator::Id("last_name")).await?;
        for (id, text) in [
            ("last_name", "Новиков"),
            ("first_name", "Олег"),
            ("login", "novikov"),
            ("email", "novikov@example.ru"),
            ("position", "Стажёр"),
        ] {
            chief.fill(id, text).await?;
        }
        // Only `create_documents` of the defaults stays on.
        chief.click("input[value=manage_own_documents]").await?;
        chief.click("input[value=send_documents]").await?;
        chief.clean("the new user form").await?;
        chief.submit("main form button[type=submit]").await?;
        chief.wait_text("main h1", "Новиков Олег").await?;
        chief.click("input[value=view_statistics]").await?;
        chief.shot("user_rights.png").await?;
        chief.submit("form[action$='/rights'] button[type=submit]").await?;
        chief.wait_text("main h1", "Новиков Олег").await?;
        let on = chief
            .c
            .find(Locator::Css("input[value=view_statistics]"))
            .await?
            .prop("checked")
            .await?;
        assert_eq!(on.as_deref(), Some("true"), "the switch stayed on after saving");
        let off = chief
            .c
            .find(Locator::Css("input[value=send_documents]"))
            .await?
            .prop("checked")
            .await?;
        assert_ne!(off.as_deref(), Some("true"));
        chief.clean("the user page").await?;

        // The new user sets a password from the invitation and sees only what its rights allow.
        let code = app.mail.next("novikov@example.ru").await.code();
        member.submit("form.logout button").await?;
        member.wait_text("main h1", "Вход в систему").await?;
        member.c.goto(&app.url("/password/reset")).await?;
        member.c.wait().for_element(Locator::Id("email")).await?;
        member.fill("email", "novikov@example.ru").await?;
        member.fill("code", &code).await?;
        member.fill("password", "зелёный трамвай идёт домой").await?;
        member.click("main button[type=submit]").await?;
        member.wait_text("main", "Пароль изменён").await?;
        member
            .sign_in(&app, "novikov", "зелёный трамвай идёт домой", "novikov@example.ru")
            .await?;
        let nav = member.c.find(Locator::Css("header nav")).await?.text().await?;
        assert!(
            nav.contains("Статистика") && !nav.contains("Пользователи") && !nav.contains("Журнал"),
            "{nav}"
        );
        member.c.find(Locator::LinkText("Создать")).await?.click().await?;
        let main = member.wait_text("main", "Пустая карточка").await?;
        assert!(
            !main.contains("Из файла"),
            "no upload without manage_own_documents: {main}"
        );
        member.c.find(Locator::LinkText("Статистика")).await?.click().await?;
        member.wait_text("main h1", "Статистика").await?;
        member.clean("the statistics page").await?;
        member.shot("stats.png").await?;
        member.c.goto(&app.url("/users")).await?;
        member.wait_text("main h1", "Доступ запрещён").await?;
        // The refused page itself is the only thing the console may mention.
        let errors = console_errors(&member.c).await?;
        assert!(errors.iter().all(|e| e.contains("403")), "{errors:?}");

        // English on request: the choice is saved with the person.
        member.c.goto(&app.url("/profile")).await?;
        member.submit("button[name=lang][value=en]").await?;
        member
            .wait_text("main", "The interface language has been changed.")
            .await?;
        let nav = member.c.find(Locator::Css("header nav")).await?.text().await?;
        assert!(nav.contains("Inbox") && nav.contains("Statistics"), "{nav}");
        member.c.find(Locator::LinkText("Statistics")).await?.click().await?;
        member.wait_text("main h1", "Statistics").await?;
        member.wait_text("main", "By status").await?;
        member.clean("the statistics page in English").await?;
        member.shot("stats_en.png").await?;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    if run.is_err() {
        for b in [&owner, &member, &chief] {
            b.explain().await;
        }
    }
    for b in [owner, member, chief] {
        let _ = b.c.close().await;
    }
    run.expect("the browser run");
}
