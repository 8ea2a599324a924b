//! Rows written straight through the entities, so read tests know exactly what is stored.

use chrono::{DurationRound, TimeDelta, Utc};
use entity::enums::{
    AuditAction, AuditEntityType, CommunicationKind, EmailFormat, IdentityChannel,
    IncidentPriority, IncidentStatus, OpportunityStage,
};
use entity::{
    account, audit_entry, communication_method, contact, contact_identity, incident, opportunity,
};
use sea_orm::{ActiveModelTrait, DatabaseConnection, IntoActiveModel};
use uuid::Uuid;

fn now() -> chrono::DateTime<Utc> {
    Utc::now()
        .duration_trunc(TimeDelta::microseconds(1))
        .unwrap()
}

pub async fn account(
    db: &DatabaseConnection,
    name: &str,
    partner_of: Option<Uuid>,
) -> account::Model {
    let at = now();
    account::Model {
        id: Uuid::now_v7(),
        name: name.to_owned(),
        is_customer: true,
        is_partner: false,
        partner_id: partner_of,
        primary_contact_id: None,
        phone: Some("+49 30 1234567".into()),
        website: Some("https://example.com".into()),
        street: None,
        city: Some("Berlin".into()),
        state: None,
        postal_code: None,
        country: Some("DE".into()),
        notes: None,
        created_at: at,
        updated_at: at,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap()
}

pub async fn partner(db: &DatabaseConnection, name: &str) -> account::Model {
    let at = now();
    account::Model {
        id: Uuid::now_v7(),
        name: name.to_owned(),
        is_customer: false,
        is_partner: true,
        partner_id: None,
        primary_contact_id: None,
        phone: None,
        website: None,
        street: None,
        city: None,
        state: None,
        postal_code: None,
        country: None,
        notes: None,
        created_at: at,
        updated_at: at,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap()
}

pub async fn set_primary_contact(db: &DatabaseConnection, account: &account::Model, contact: Uuid) {
    let mut active = account.clone().into_active_model();
    active.primary_contact_id = sea_orm::Set(Some(contact));
    active.update(db).await.unwrap();
}

pub async fn contact(
    db: &DatabaseConnection,
    account_id: Option<Uuid>,
    last_name: &str,
) -> contact::Model {
    let at = now();
    contact::Model {
        id: Uuid::now_v7(),
        account_id,
        title: None,
        first_name: Some("Test".into()),
        last_name: last_name.to_owned(),
        alias: None,
        job_title: Some("Buyer".into()),
        description: None,
        timezone: Some("Europe/Berlin".into()),
        email_format: EmailFormat::PlainText,
        marketing_opt_in: false,
        email_opt_in: true,
        sms_opt_in: false,
        whatsapp_opt_in: false,
        street: None,
        city: None,
        state: None,
        postal_code: None,
        country: None,
        version: 1,
        created_at: at,
        updated_at: at,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap()
}

pub async fn identity(
    db: &DatabaseConnection,
    contact_id: Uuid,
    channel: IdentityChannel,
    value: &str,
    normalized: &str,
) -> contact_identity::Model {
    let at = now();
    contact_identity::Model {
        id: Uuid::now_v7(),
        contact_id,
        channel,
        value: value.to_owned(),
        normalized_value: normalized.to_owned(),
        created_at: at,
        updated_at: at,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap()
}

pub async fn method(
    db: &DatabaseConnection,
    account_id: Option<Uuid>,
    contact_id: Option<Uuid>,
    kind: CommunicationKind,
    value: &str,
) -> communication_method::Model {
    let at = now();
    communication_method::Model {
        id: Uuid::now_v7(),
        account_id,
        contact_id,
        kind,
        value: value.to_owned(),
        label: Some("Main".into()),
        created_at: at,
        updated_at: at,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap()
}

pub async fn incident(
    db: &DatabaseConnection,
    account_id: Option<Uuid>,
    contact_id: Uuid,
    reported_by: Option<Uuid>,
    subject: &str,
) -> incident::Model {
    let at = now();
    incident::Model {
        id: Uuid::now_v7(),
        account_id,
        primary_contact_id: contact_id,
        reported_by_partner_id: reported_by,
        subject: subject.to_owned(),
        description: None,
        status: IncidentStatus::Open,
        priority: IncidentPriority::Normal,
        channel: None,
        closed_at: None,
        created_at: at,
        updated_at: at,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap()
}

pub async fn opportunity(
    db: &DatabaseConnection,
    account_id: Uuid,
    contact_id: Option<Uuid>,
    name: &str,
    amount: Option<(i64, &str)>,
) -> opportunity::Model {
    let at = now();
    opportunity::Model {
        id: Uuid::now_v7(),
        account_id,
        primary_contact_id: contact_id,
        name: name.to_owned(),
        stage: OpportunityStage::Proposal,
        amount: amount.map(|(minor, _)| minor),
        currency: amount.map(|(_, currency)| currency.to_owned()),
        expected_close_date: chrono::NaiveDate::from_ymd_opt(2027, 3, 31),
        created_at: at,
        updated_at: at,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap()
}

pub async fn audit(
    db: &DatabaseConnection,
    contact_id: Uuid,
    field: &str,
    after: &str,
) -> audit_entry::Model {
    audit_entry::Model {
        id: Uuid::now_v7(),
        operation_id: Uuid::now_v7(),
        entity_type: AuditEntityType::Contact,
        entity_id: contact_id,
        contact_id: Some(contact_id),
        action: AuditAction::Update,
        actor: "test".into(),
        api_key_id: None,
        at: now(),
        changes: serde_json::json!({ field: { "before": null, "after": after } }),
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap()
}
