//! The texts of the messages Svitok mails, in Russian. A code is the only six-digit
//! number in a message's subject and body.

use svitok_mail::Mail;

pub fn code(to: &str, purpose: svitok_core::otp::Purpose, code: &str) -> Mail {
    use svitok_core::otp::Purpose;
    let what = match purpose {
        Purpose::Register => "подтверждения регистрации",
        Purpose::Login => "входа",
        Purpose::PasswordReset => "смены пароля",
        Purpose::StepUp => "подтверждения действия",
        Purpose::EmailChange => "подтверждения нового адреса",
    };
    Mail {
        to: to.to_string(),
        subject: format!("Свиток: код {what} {code}"),
        body: format!(
            "Здравствуйте!\n\nВаш код {what}: {code}\n\nКод действует десять минут и подходит \
             только один раз. Если вы не запрашивали код, просто проигнорируйте это письмо \
             и сообщите администратору.\n\n— Свиток, система электронного документооборота\n"
        ),
    }
}

pub fn invitation(to: &str, login: &str, org: &str, link: &str, code: &str) -> Mail {
    Mail {
        to: to.to_string(),
        subject: format!("Свиток: приглашение, код {code}"),
        body: format!(
            "Здравствуйте!\n\nДля вас создана учётная запись в системе электронного \
             документооборота «{org}». Ваш логин: {login}\n\nЧтобы задать пароль, откройте \
             {link} и введите код: {code}\n\nКод действует трое суток и подходит только один раз; \
             новый код можно запросить там же.\n\n— Свиток\n"
        ),
    }
}

pub fn already_registered(to: &str, reset_link: &str) -> Mail {
    Mail {
        to: to.to_string(),
        subject: "Свиток: попытка повторной регистрации".into(),
        body: format!(
            "Здравствуйте!\n\nКто-то попытался зарегистрироваться в Свитке с вашим адресом почты, \
             но учётная запись с этим адресом уже есть. Если это были вы и вы забыли пароль, \
             восстановите его: {reset_link}\n\nЕсли это были не вы, ничего делать не нужно.\n\n— Свиток\n"
        ),
    }
}

pub fn login_taken(to: &str, login: &str) -> Mail {
    Mail {
        to: to.to_string(),
        subject: "Свиток: попытка регистрации с вашим логином".into(),
        body: format!(
            "Здравствуйте!\n\nКто-то попытался зарегистрироваться в Свитке с логином «{login}», \
             который принадлежит вам. Ваша учётная запись не изменилась; ничего делать не нужно.\n\n— Свиток\n"
        ),
    }
}

/// What happened to an account, for the notice its owner is mailed.
pub enum Notice {
    EmailChanged { to: String },
    PasswordChanged,
    PasswordChangedElsewhereEnded,
    TotpOn,
    TotpOff,
}

impl Notice {
    fn words(&self) -> String {
        match self {
            Notice::EmailChanged { to } => format!("адрес почты изменён на {to}"),
            Notice::PasswordChanged => "пароль изменён".into(),
            Notice::PasswordChangedElsewhereEnded => "пароль изменён; другие сеансы и API-токены отозваны".into(),
            Notice::TotpOn => "подключена двухфакторная аутентификация по TOTP".into(),
            Notice::TotpOff => "отключена двухфакторная аутентификация по TOTP".into(),
        }
    }
}

pub fn security_notice(to: &str, notice: &Notice) -> Mail {
    let what = notice.words();
    Mail {
        to: to.to_string(),
        subject: format!("Свиток: {what}"),
        body: format!(
            "Здравствуйте!\n\nВ вашей учётной записи: {what}.\n\nЕсли это сделали не вы, \
             немедленно обратитесь к администратору.\n\n— Свиток\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn code_is_the_only_six_digit_number() {
        let m = super::code("a@b.ru", svitok_core::otp::Purpose::Login, "042917");
        let text = format!("{} {}", m.subject, m.body);
        let sixes: Vec<&str> = text
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| s.len() == 6)
            .collect();
        assert_eq!(sixes, ["042917", "042917"]);
        assert!(!text.split(|c: char| !c.is_ascii_digit()).any(|s| s.len() > 6));
    }
}
