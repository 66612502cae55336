//! Sending and forwarding a document, and telling its recipients by mail.

use super::*;

/// Sends (or forwards) a document to users and groups, optionally handing over
/// responsibility to the single recipient. Recipients are told by mail in the background.
pub async fn transfer(
    state: &App,
    actor: &Caller,
    id: DocumentId,
    to: Vec<Party>,
    comment: Option<String>,
    hand_over: bool,
    forward: bool,
) -> Result<usize> {
    let o = open(state, actor, id, if forward { DocOp::Forward } else { DocOp::Send }).await?;
    if hand_over {
        also(state, actor, &o, DocOp::ChangeResponsible).await?;
    }
    if to.is_empty() || to.len() > 100 {
        return Err(CoreError::validation("to", "msg-recipients-count"));
    }
    if hand_over && to.len() != 1 {
        return Err(CoreError::validation("hand_over", "msg-hand-over-one"));
    }
    let mut recipients = Vec::new();
    for p in to {
        let p = existing(state, p, "to").await?;
        if !recipients.contains(&p) {
            recipients.push(p);
        }
    }
    let comment = optional("comment", comment.as_deref(), 2000)?.unwrap_or_default();
    let action = if forward { "forward" } else { "send" };
    let details = json!({ "to": recipients.iter().map(|p| party_json(*p)).collect::<Vec<_>>(), "comment": comment,
                          "hand_over": hand_over });
    let mut tx = state.db.begin().await?;
    tx.add_transfers(
        id,
        actor.user.id,
        &recipients,
        action,
        &comment,
        hand_over.then(|| recipients[0]),
        &event(actor, if forward { "forwarded" } else { "sent" }, details.clone()),
        state.now(),
    )
    .await?;
    // Recipients by id; the comment is the document's content, kept in its history.
    let audit_details = json!({ "to": details["to"], "hand_over": hand_over, "with_comment": !comment.is_empty() });
    audited(
        &mut tx,
        state,
        actor,
        if forward { "document.forwarded" } else { "document.sent" },
        id,
        audit_details,
    );
    tx.commit().await?;
    notify_recipients(state, actor, &o.doc, &recipients, false).await;
    Ok(recipients.len())
}

/// One mail per recipient address (a group's members each get one), sent in the
/// background: the transfer is already recorded and visible in the inboxes.
pub(crate) async fn notify_recipients(state: &App, actor: &Caller, doc: &DocumentRow, to: &[Party], to_sign: bool) {
    let mut addresses = Vec::new();
    for p in to {
        let users = match p {
            Party::User(u) => state.db.user(*u).await.ok().flatten().into_iter().collect::<Vec<_>>(),
            Party::Group(g) => state.db.members(*g).await.unwrap_or_default(),
        };
        for u in users {
            if u.id != actor.user.id && u.status == UserStatus::Active && !addresses.contains(&u.email) {
                addresses.push(u.email);
            }
        }
    }
    let mailer = state.mailer.clone();
    let link = state.settings.link(&format!("/documents/{}", doc.id));
    let (title, from) = (doc.title.clone(), actor.user.full_name());
    tokio::spawn(async move {
        for to in addresses {
            let mail = svitok_mail::Mail {
                to,
                subject: if to_sign {
                    format!("Свиток: просьба подписать документ «{title}»")
                } else {
                    format!("Свиток: вам направлен документ «{title}»")
                },
                body: format!(
                    "Здравствуйте!\n\n{from} {} документ «{title}».\nОткрыть: {link}\n\n— Свиток\n",
                    if to_sign {
                        "просит вас подписать"
                    } else {
                        "направил(а) вам"
                    }
                ),
            };
            if let Err(e) = mailer.send(mail).await {
                tracing::warn!(error = %e, "could not send a document notice");
            }
        }
    });
}
