//! Generated contacts: names that belong together, identities that satisfy the uniqueness rule
//! (e-mail at the account's own domain, phone numbers that are valid in the configured region,
//! handles carrying a running number), their own communication methods and later edits.

use std::collections::HashSet;

use entity::enums::{CommunicationKind, EmailFormat, IdentityChannel};
use entity::{audit_entry, communication_method, contact, contact_identity};
use rand::Rng;
use serde_json::json;
use uuid::Uuid;

use super::audit::{self, Subject};
use super::generated::{AccountCtx, Generator, pick, random_word, weighted};
use super::ids::Stamp;
use super::names::{self, CULTURES};
use super::phones::Phone;
use super::rows::Rows;
use crate::error::AppResult;
use crate::service::identity;

/// A generated person's name, before it becomes a contact.
struct Person {
    first: &'static str,
    last: &'static str,
}

/// Which identities a contact got, so its opt-ins and methods agree with them.
struct Reach {
    mobile: Option<Phone>,
    sms: bool,
    whatsapp: bool,
}

impl Generator {
    /// The account's contacts, in creation order.
    pub(super) fn contacts(&mut self, ctx: &AccountCtx, rows: &mut Rows) -> AppResult<Vec<Uuid>> {
        let mut local_parts = HashSet::new();
        let mut ids = Vec::with_capacity(self.contacts_per_account);
        for _ in 0..self.contacts_per_account {
            ids.push(self.contact(ctx, &mut local_parts, rows)?);
        }
        Ok(ids)
    }

    fn contact(
        &mut self,
        ctx: &AccountCtx,
        local_parts: &mut HashSet<String>,
        rows: &mut Rows,
    ) -> AppResult<Uuid> {
        let weights: Vec<(usize, u32)> = CULTURES.iter().map(|c| c.weight).enumerate().collect();
        let culture = &CULTURES[weighted(&mut self.rng, &weights)];
        let person = Person {
            first: random_word(&mut self.rng, culture.first),
            last: random_word(&mut self.rng, culture.last),
        };
        let operation = self.clock.next();
        let stamp = self.clock.next();
        let model = self.contact_model(ctx, &person, stamp);
        let entry = audit::contact_created(&mut self.clock, operation, &model);
        rows.audit.push(entry);
        let reach = self.identities(ctx, stamp.id, &person, local_parts, rows)?;
        self.contact_methods(ctx, stamp.id, &person, &reach, rows);
        let opt_ins = (self.rng.random_bool(0.6), self.rng.random_bool(0.7));
        rows.contacts.push(contact::Model {
            sms_opt_in: reach.sms && opt_ins.0,
            whatsapp_opt_in: reach.whatsapp && opt_ins.1,
            ..model
        });
        self.contacts_made += 1;
        Ok(stamp.id)
    }

    fn contact_model(&mut self, ctx: &AccountCtx, person: &Person, stamp: Stamp) -> contact::Model {
        let rng = &mut self.rng;
        let timezone = match rng.random_range(0..100) {
            0..85 => Some(ctx.place.timezone),
            85..97 => Some(pick(rng, &self.places).timezone),
            _ => None,
        };
        let own_address = rng.random_bool(0.15);
        let first = person.first;
        contact::Model {
            id: stamp.id,
            account_id: Some(ctx.id),
            title: rng
                .random_bool(0.15)
                .then(|| pick(rng, names::HONORIFICS).to_string()),
            first_name: rng.random_bool(0.97).then(|| first.to_owned()),
            last_name: person.last.to_owned(),
            alias: (rng.random_bool(0.04) && first.len() > 5)
                .then(|| first.chars().take(4).collect()),
            job_title: rng
                .random_bool(0.9)
                .then(|| pick(rng, names::JOB_TITLES).to_string()),
            description: rng
                .random_bool(0.05)
                .then(|| pick(rng, names::CONTACT_NOTES).to_string()),
            timezone: timezone.map(str::to_owned),
            email_format: match rng.random_bool(0.85) {
                true => EmailFormat::Html,
                false => EmailFormat::PlainText,
            },
            marketing_opt_in: rng.random_bool(0.4),
            email_opt_in: rng.random_bool(0.8),
            sms_opt_in: false,
            whatsapp_opt_in: false,
            street: own_address.then(|| ctx.place.street_line(rng.random_range(1..=400))),
            city: own_address.then(|| ctx.place.city.to_owned()),
            state: own_address
                .then_some(ctx.place.state)
                .flatten()
                .map(str::to_owned),
            postal_code: own_address.then(|| ctx.place.postal_code.to_owned()),
            country: own_address.then(|| ctx.place.country.to_owned()),
            version: 1,
            created_at: stamp.at,
            updated_at: stamp.at,
        }
    }

    /// One to three identities: always an e-mail, often a mobile number on SMS and/or WhatsApp,
    /// sometimes a social handle.
    fn identities(
        &mut self,
        ctx: &AccountCtx,
        contact_id: Uuid,
        person: &Person,
        local_parts: &mut HashSet<String>,
        rows: &mut Rows,
    ) -> AppResult<Reach> {
        let email = self.email(ctx, person, local_parts);
        self.identity(contact_id, IdentityChannel::Email, email, None, rows)?;
        let (wants_sms, wants_whatsapp) = (self.rng.random_bool(0.6), self.rng.random_bool(0.45));
        let mobile = match (wants_sms || wants_whatsapp, self.mobiles.as_mut()) {
            (true, Some(source)) => source.next_phone(self.rng.random_bool(0.4)),
            _ => None,
        };
        let reach = Reach {
            sms: wants_sms && mobile.is_some(),
            whatsapp: wants_whatsapp && mobile.is_some(),
            mobile,
        };
        if let Some(phone) = &reach.mobile {
            if reach.sms {
                let normalized = Some(phone.normalized.clone());
                self.identity(
                    contact_id,
                    IdentityChannel::Sms,
                    phone.entered.clone(),
                    normalized,
                    rows,
                )?;
            }
            if reach.whatsapp {
                self.identity(
                    contact_id,
                    IdentityChannel::Whatsapp,
                    phone.entered.clone(),
                    None,
                    rows,
                )?;
            }
        }
        if !(reach.sms && reach.whatsapp) && self.rng.random_bool(0.15) {
            let handle = format!("{}{}{}", person.first, person.last, self.contacts_made);
            let handle = names::ascii_slug(&handle);
            let (channel, value) = match self.rng.random_bool(0.65) {
                true => (IdentityChannel::Twitter, format!("@{handle}")),
                false => (IdentityChannel::Facebook, handle),
            };
            self.identity(contact_id, channel, value, None, rows)?;
        }
        Ok(reach)
    }

    /// `first.last@domain`, unique within the account (hence everywhere: domains are unique),
    /// sometimes typed with capitals, which normalization removes.
    fn email(
        &mut self,
        ctx: &AccountCtx,
        person: &Person,
        local_parts: &mut HashSet<String>,
    ) -> String {
        let base = format!(
            "{}.{}",
            names::ascii_slug(person.first),
            names::ascii_slug(person.last)
        );
        let mut local = base.clone();
        let mut n = 1;
        while !local_parts.insert(local.clone()) {
            n += 1;
            local = format!("{base}{n}");
        }
        let email = format!("{local}@{}", ctx.domain);
        match self.rng.random_bool(0.15) {
            true => capitalize_words(&email),
            false => email,
        }
    }

    /// Adds one identity; `normalized` may carry a value already computed by
    /// [`identity::normalize`] for the same spelling.
    fn identity(
        &mut self,
        contact_id: Uuid,
        channel: IdentityChannel,
        value: String,
        normalized: Option<String>,
        rows: &mut Rows,
    ) -> AppResult<()> {
        let normalized = match normalized {
            Some(done) => done,
            None => identity::normalize(channel, &value, self.region)?,
        };
        let stamp = self.clock.next();
        rows.identities.push(contact_identity::Model {
            id: stamp.id,
            contact_id,
            channel,
            value,
            normalized_value: normalized,
            created_at: stamp.at,
            updated_at: stamp.at,
        });
        Ok(())
    }

    /// Zero to two methods of the contact's own: a direct line, a work mobile, an assistant's
    /// address or (rarely) a fax.
    fn contact_methods(
        &mut self,
        ctx: &AccountCtx,
        contact_id: Uuid,
        person: &Person,
        reach: &Reach,
        rows: &mut Rows,
    ) {
        let count = weighted(&mut self.rng, &[(0, 45), (1, 40), (2, 15)]);
        let extension = self.rng.random_range(200..900);
        let assistant = format!(
            "assistant.{}@{}",
            names::ascii_slug(person.last),
            ctx.domain
        );
        let mut candidates: Vec<(CommunicationKind, String, &str)> = Vec::with_capacity(4);
        if let Some(phone) = &ctx.phone {
            candidates.push((
                CommunicationKind::Phone,
                format!("{phone} ext. {extension}"),
                "Direct line",
            ));
        }
        if let Some(mobile) = &reach.mobile {
            candidates.push((
                CommunicationKind::Mobile,
                mobile.entered.clone(),
                "Work mobile",
            ));
        }
        candidates.push((CommunicationKind::Email, assistant, "Assistant"));
        if let (Some(phone), true) = (&ctx.phone, self.rng.random_bool(0.1)) {
            candidates.push((CommunicationKind::Fax, phone.clone(), "Fax"));
        }
        for _ in 0..count.min(candidates.len()) {
            let (kind, value, label) =
                candidates.swap_remove(self.rng.random_range(0..candidates.len()));
            let stamp = self.clock.next();
            rows.methods.push(communication_method::Model {
                id: stamp.id,
                account_id: None,
                contact_id: Some(contact_id),
                kind,
                value,
                label: Some(label.to_owned()),
                created_at: stamp.at,
                updated_at: stamp.at,
            });
        }
    }

    /// Later edits to a few of the account's contacts (a promotion, a marketing opt-in), each
    /// with its UPDATE entry and a raised version.
    pub(super) fn updates(
        &mut self,
        contacts: &mut [contact::Model],
        entries: &mut Vec<audit_entry::Model>,
    ) {
        for contact in contacts {
            if !self.rng.random_bool(0.04) {
                continue;
            }
            let subject = Subject::contact(contact.id);
            let entry = if self.rng.random_bool(0.6) {
                let promoted = pick(&mut self.rng, names::PROMOTED_TITLES).to_string();
                let before = contact.job_title.replace(promoted.clone());
                audit::updated(
                    &mut self.clock,
                    subject,
                    "jobTitle",
                    json!(before),
                    json!(promoted),
                )
            } else {
                let before = contact.marketing_opt_in;
                contact.marketing_opt_in = !before;
                audit::updated(
                    &mut self.clock,
                    subject,
                    "marketingOptIn",
                    json!(before),
                    json!(!before),
                )
            };
            contact.version += 1;
            contact.updated_at = entry.at;
            entries.push(entry);
        }
    }
}

/// `ada.lovelace@example` -> `Ada.Lovelace@Example`: how people sometimes type addresses.
fn capitalize_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    for c in text.chars() {
        out.push(if start { c.to_ascii_uppercase() } else { c });
        start = matches!(c, '.' | '@' | '-');
    }
    out
}
