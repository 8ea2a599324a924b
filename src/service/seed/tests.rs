#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::time::Instant;

use entity::enums::{IdentityChannel, IncidentStatus};
use entity::{
    account, audit_entry, communication_method, contact, contact_identity, incident, opportunity,
};
use phonenumber::country::Id as Region;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use secrecy::SecretString;

use super::generated::Generator;
use super::rows::Rows;
use super::*;
use crate::config::DatabaseConfig;
use crate::service::identity;

/// Small chunks, so small plans cross chunk boundaries too.
fn generator(plan: &SeedPlan, region: Region) -> Generator {
    let mut generator = Generator::new(plan, region);
    generator.accounts_per_chunk = 3;
    generator
}

fn generate(plan: &SeedPlan, region: Region) -> Vec<Rows> {
    let mut generator = generator(plan, region);
    let mut chunks = Vec::new();
    while let Some(rows) = generator.next_chunk().unwrap() {
        chunks.push(rows);
    }
    chunks
}

fn merged(chunks: Vec<Rows>) -> Rows {
    let mut all = Rows::default();
    for rows in chunks {
        all.accounts.extend(rows.accounts);
        all.contacts.extend(rows.contacts);
        all.identities.extend(rows.identities);
        all.methods.extend(rows.methods);
        all.incidents.extend(rows.incidents);
        all.opportunities.extend(rows.opportunities);
        all.audit.extend(rows.audit);
    }
    all
}

fn plan(accounts: usize, contacts_per_account: usize, seed: u64) -> SeedPlan {
    SeedPlan {
        accounts,
        contacts_per_account,
        seed,
    }
}

#[test]
fn same_plan_same_rows() {
    let plan = plan(7, 3, 11);
    let first = generate(&plan, Region::US);
    assert_eq!(first.len(), 3, "7 accounts take three chunks");
    assert_eq!(first, generate(&plan, Region::US));
    let other_seed = generate(&SeedPlan { seed: 12, ..plan }, Region::US);
    assert_ne!(first, other_seed);
}

#[test]
fn plans_round_up_to_whole_accounts() {
    assert_eq!(SeedPlan::for_contacts(100_000, 1).accounts, 5_000);
    assert_eq!(SeedPlan::for_contacts(30, 1).contacts(), 40);
    assert_eq!(SeedPlan::for_contacts(7, 1).contacts(), 7);
    assert_eq!(SeedPlan::for_contacts(0, 1).contacts(), 0);
}

#[test]
fn generated_identities_normalize_and_are_unique() {
    for region in [Region::US, Region::DE, Region::JP] {
        let rows = merged(generate(&plan(6, 10, 3), region));
        let mut seen = HashSet::new();
        let mut phones = 0;
        for identity in &rows.identities {
            let again = identity::normalize(identity.channel, &identity.value, region).unwrap();
            assert_eq!(again, identity.normalized_value, "{}", identity.value);
            if matches!(
                identity.channel,
                IdentityChannel::Sms | IdentityChannel::Whatsapp
            ) {
                assert!(identity.normalized_value.starts_with('+'));
                let number = phonenumber::parse(Some(region), &identity.value).unwrap();
                assert!(phonenumber::is_valid(&number), "{}", identity.value);
                phones += 1;
            }
            assert!(seen.insert((identity.channel, identity.normalized_value.clone())));
        }
        assert!(phones > 30, "{region:?}: only {phones} phone identities");
    }
}

#[test]
fn generated_rows_follow_the_rules() {
    let rows = merged(generate(&plan(33, 3, 5), Region::US));
    let partners: HashSet<_> = rows
        .accounts
        .iter()
        .filter(|a| a.is_partner)
        .map(|a| a.id)
        .collect();
    assert_eq!(partners.len(), 3, "about one partner per ten customers");
    for account in &rows.accounts {
        assert!(account.is_customer || account.is_partner);
        assert!(account.partner_id.is_none_or(|p| partners.contains(&p)));
        let primary = account.primary_contact_id.unwrap();
        let owner = rows.contacts.iter().find(|c| c.id == primary).unwrap();
        assert_eq!(owner.account_id, Some(account.id));
    }
    assert!(
        rows.accounts
            .iter()
            .filter(|a| a.partner_id.is_some())
            .count()
            > 8
    );
    for contact in &rows.contacts {
        let incidents = rows
            .incidents
            .iter()
            .filter(|i| i.primary_contact_id == contact.id)
            .count();
        assert!((3..=7).contains(&incidents), "{incidents} incidents");
        let identities = rows
            .identities
            .iter()
            .filter(|i| i.contact_id == contact.id)
            .count();
        assert!((1..=3).contains(&identities), "{identities} identities");
    }
    for incident in &rows.incidents {
        let closed = matches!(
            incident.status,
            IncidentStatus::Solved | IncidentStatus::Closed
        );
        assert_eq!(closed, incident.closed_at.is_some());
    }
    for opportunity in &rows.opportunities {
        assert_eq!(opportunity.amount.is_some(), opportunity.currency.is_some());
        assert!(opportunity.amount.is_none_or(|a| a >= 0));
    }
    for method in &rows.methods {
        assert!(method.account_id.is_some() != method.contact_id.is_some());
    }
    let creates = rows.accounts.len() + rows.contacts.len();
    assert!(
        rows.audit.len() > creates,
        "some UPDATE entries besides the CREATEs"
    );
}

#[test]
fn ids_rise_in_creation_order_and_match_created_at() {
    let rows = merged(generate(&plan(12, 5, 9), Region::US));
    let mut ids: Vec<_> = rows
        .incidents
        .iter()
        .map(|i| (i.id, i.created_at))
        .collect();
    ids.extend(rows.contacts.iter().map(|c| (c.id, c.created_at)));
    ids.extend(rows.audit.iter().map(|a| (a.id, a.at)));
    ids.sort();
    for pair in ids.windows(2) {
        assert!(pair[0].0 < pair[1].0 && pair[0].1 < pair[1].1);
    }
    for (id, at) in ids {
        let (secs, nanos) = id.get_timestamp().unwrap().to_unix();
        assert_eq!(
            at.timestamp_millis(),
            (secs * 1000 + u64::from(nanos) / 1_000_000) as i64
        );
    }
}

/// The E.164 form of an international number, read without a default region.
fn e164(value: &str) -> String {
    let number = phonenumber::parse(None, value).unwrap();
    number.format().mode(phonenumber::Mode::E164).to_string()
}

#[test]
fn demo_identities_normalize_in_any_region() {
    let regions = [
        Region::US,
        Region::DE,
        Region::GB,
        Region::FR,
        Region::RU,
        Region::HU,
    ];
    for region in regions
        .into_iter()
        .chain([Region::BR, Region::IN, Region::JP, Region::AT])
    {
        let rows = demo::rows(region).unwrap();
        for identity in &rows.identities {
            if matches!(
                identity.channel,
                IdentityChannel::Sms | IdentityChannel::Whatsapp
            ) {
                assert_eq!(
                    identity.normalized_value,
                    e164(&identity.value),
                    "{region:?}"
                );
            }
        }
        let channels: HashSet<_> = rows.identities.iter().map(|i| i.channel).collect();
        for channel in [
            IdentityChannel::Email,
            IdentityChannel::Sms,
            IdentityChannel::Whatsapp,
            IdentityChannel::Twitter,
        ] {
            assert!(channels.contains(&channel), "{channel:?}");
        }
        assert_eq!(rows, demo::rows(region).unwrap(), "deterministic");
    }
}

async fn fresh_db() -> (tempfile::TempDir, DatabaseConnection) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("seed.db").display());
    let config = DatabaseConfig {
        url: SecretString::from(url),
        ..DatabaseConfig::default()
    };
    let db = crate::db::connect(&config).await.unwrap();
    crate::db::migrate(&db).await.unwrap();
    (dir, db)
}

async fn counted(db: &DatabaseConnection) -> SeedReport {
    SeedReport {
        accounts: account::Entity::find().count(db).await.unwrap(),
        contacts: contact::Entity::find().count(db).await.unwrap(),
        identities: contact_identity::Entity::find().count(db).await.unwrap(),
        communication_methods: communication_method::Entity::find()
            .count(db)
            .await
            .unwrap(),
        incidents: incident::Entity::find().count(db).await.unwrap(),
        opportunities: opportunity::Entity::find().count(db).await.unwrap(),
        audit_entries: audit_entry::Entity::find().count(db).await.unwrap(),
    }
}

#[tokio::test]
async fn generated_data_lands_in_sqlite() {
    let (_dir, db) = fresh_db().await;
    let plan = plan(12, 3, 1);
    let txn = crate::db::begin_write(&db).await.unwrap();
    let report = generated::write(&txn, generator(&plan, Region::US))
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(report.contacts, 36);
    assert_eq!(counted(&db).await, report);
    let accounts = account::Entity::find().all(&db).await.unwrap();
    assert!(accounts.iter().all(|a| a.primary_contact_id.is_some()));
    let again = seed_generated(&db, &plan, Region::US).await.unwrap_err();
    assert_eq!(again.code(), crate::error::code::CONFLICT);
}

#[tokio::test]
async fn demo_data_lands_in_sqlite() {
    let (_dir, db) = fresh_db().await;
    let report = seed_demo(&db, Region::US).await.unwrap();
    assert_eq!(counted(&db).await, report);
    assert_eq!(report.accounts, 4);
    let partner = account::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.name == "Northwind Support Partners")
        .unwrap();
    assert!(partner.is_partner && partner.primary_contact_id.is_some());
}

/// `cargo test --release -p contacts-graph seed_timing -- --ignored --nocapture`
#[tokio::test]
#[ignore = "timing, run in release"]
async fn seed_timing() {
    for contacts in [10_000, 100_000] {
        let (_dir, db) = fresh_db().await;
        let started = Instant::now();
        let report = seed_generated(&db, &SeedPlan::for_contacts(contacts, 42), Region::US)
            .await
            .unwrap();
        println!("{contacts} contacts: {:?} ({report})", started.elapsed());
    }
}
