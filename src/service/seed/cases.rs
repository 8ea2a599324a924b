//! Generated activity of an account: its switchboard, website and info address, the incidents
//! its contacts report over time, and the opportunities sales is working on.

use chrono::TimeDelta;
use entity::enums::{
    CommunicationKind, IncidentChannel, IncidentPriority, IncidentStatus, OpportunityStage,
};
use entity::{communication_method, incident, opportunity};
use rand::Rng;
use rand::seq::SliceRandom;
use uuid::Uuid;

use super::generated::{AccountCtx, Generator, pick, weighted};
use super::ids::DAY_MS;
use super::names;
use super::rows::Rows;

const STATUSES: &[(IncidentStatus, u32)] = &[
    (IncidentStatus::New, 10),
    (IncidentStatus::Open, 25),
    (IncidentStatus::Pending, 15),
    (IncidentStatus::Solved, 25),
    (IncidentStatus::Closed, 25),
];

const PRIORITIES: &[(IncidentPriority, u32)] = &[
    (IncidentPriority::Low, 25),
    (IncidentPriority::Normal, 50),
    (IncidentPriority::High, 20),
    (IncidentPriority::Urgent, 5),
];

const CHANNELS: &[(Option<IncidentChannel>, u32)] = &[
    (Some(IncidentChannel::Email), 35),
    (Some(IncidentChannel::Phone), 25),
    (Some(IncidentChannel::Web), 15),
    (Some(IncidentChannel::Whatsapp), 8),
    (Some(IncidentChannel::Sms), 5),
    (Some(IncidentChannel::Social), 4),
    (None, 8),
];

const STAGES: &[(OpportunityStage, u32)] = &[
    (OpportunityStage::Prospecting, 20),
    (OpportunityStage::Qualification, 20),
    (OpportunityStage::Proposal, 18),
    (OpportunityStage::Negotiation, 12),
    (OpportunityStage::Won, 18),
    (OpportunityStage::Lost, 12),
];

impl Generator {
    /// One to three methods, switchboard first: the phone, then maybe the website and the
    /// general inbox.
    pub(super) fn account_methods(&mut self, ctx: &AccountCtx, rows: &mut Rows) {
        let mut methods = Vec::with_capacity(3);
        if let Some(phone) = &ctx.phone {
            methods.push((CommunicationKind::Phone, phone.clone(), "Switchboard"));
        }
        if self.rng.random_bool(0.7) {
            let website = format!("https://www.{}", ctx.domain);
            methods.push((CommunicationKind::Website, website, "Website"));
        }
        if methods.len() < 2 || self.rng.random_bool(0.6) {
            let info = format!("info@{}", ctx.domain);
            methods.push((CommunicationKind::Email, info, "General inquiries"));
        }
        for (kind, value, label) in methods {
            let stamp = self.clock.next();
            rows.methods.push(communication_method::Model {
                id: stamp.id,
                account_id: Some(ctx.id),
                contact_id: None,
                kind,
                value,
                label: Some(label.to_owned()),
                created_at: stamp.at,
                updated_at: stamp.at,
            });
        }
    }

    /// Three to seven incidents per contact, interleaved across the account's contacts and
    /// spread over the account's share of the year, as cases arrive in real life.
    pub(super) fn incidents(&mut self, ctx: &AccountCtx, contacts: &[Uuid], rows: &mut Rows) {
        let mut reporters = Vec::with_capacity(contacts.len() * 7);
        for &contact in contacts {
            let count = self.rng.random_range(3..=7);
            reporters.extend(std::iter::repeat_n(contact, count));
        }
        reporters.shuffle(&mut self.rng);
        for contact in reporters {
            let gap = self.rng.random_range(0..=self.incident_spacing_ms);
            self.clock.advance(gap);
            let model = self.incident(ctx, contact);
            rows.incidents.push(model);
        }
    }

    fn incident(&mut self, ctx: &AccountCtx, contact: Uuid) -> incident::Model {
        let stamp = self.clock.next();
        let rng = &mut self.rng;
        let status = weighted(rng, STATUSES);
        let reported_by_partner_id = ctx.partner_id.filter(|_| rng.random_bool(0.25));
        let channel = match reported_by_partner_id {
            Some(_) => Some(IncidentChannel::Partner),
            None => weighted(rng, CHANNELS),
        };
        let closed_at =
            matches!(status, IncidentStatus::Solved | IncidentStatus::Closed).then(|| {
                let minutes = rng.random_range(30..=14 * 24 * 60);
                stamp.at + TimeDelta::minutes(minutes)
            });
        incident::Model {
            id: stamp.id,
            account_id: Some(ctx.id),
            primary_contact_id: contact,
            reported_by_partner_id,
            subject: pick(rng, names::INCIDENT_SUBJECTS).to_string(),
            description: rng
                .random_bool(0.4)
                .then(|| pick(rng, names::INCIDENT_DESCRIPTIONS).to_string()),
            status,
            priority: weighted(rng, PRIORITIES),
            channel,
            closed_at,
            created_at: stamp.at,
            // Closing is the last change a closed incident saw.
            updated_at: closed_at.unwrap_or(stamp.at),
        }
    }

    /// Zero to three opportunities of a customer; most carry an amount in whole hundreds of
    /// the account's usual currency, some are too early to have one.
    pub(super) fn opportunities(&mut self, ctx: &AccountCtx, contacts: &[Uuid], rows: &mut Rows) {
        for _ in 0..self.rng.random_range(0..=3) {
            let gap = self.rng.random_range(0..=self.incident_spacing_ms);
            self.clock.advance(gap);
            let stamp = self.clock.next();
            let rng = &mut self.rng;
            let priced = rng.random_bool(0.85);
            let currency = match rng.random_bool(0.8) {
                true => ctx.place.currency(),
                false => *pick(rng, &["EUR", "USD", "GBP"]),
            };
            let close_in = TimeDelta::milliseconds(rng.random_range(30..=180) * DAY_MS as i64);
            let name = format!(
                "{} {}",
                pick(rng, names::OPPORTUNITY_PRODUCTS),
                pick(rng, names::OPPORTUNITY_KINDS)
            );
            rows.opportunities.push(opportunity::Model {
                id: stamp.id,
                account_id: ctx.id,
                primary_contact_id: match rng.random_bool(0.8) {
                    true => contacts
                        .get(rng.random_range(0..contacts.len().max(1)))
                        .copied(),
                    false => None,
                },
                name,
                stage: weighted(rng, STAGES),
                amount: priced.then(|| rng.random_range(50..=2_500_i64) * 10_000),
                currency: priced.then(|| currency.to_owned()),
                expected_close_date: Some((stamp.at + close_in).date_naive()),
                created_at: stamp.at,
                updated_at: stamp.at,
            });
        }
    }
}
