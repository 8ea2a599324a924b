//! Models from rows that hold only some columns: the columns a projection kept are read, the
//! others get a placeholder (`None`, empty text, `false`, zero, the epoch, an enum's first
//! value). The compiled read path never writes a placeholder: it reads every column it writes.

use chrono::DateTime;
use entity::enums::{
    CommunicationKind, EmailFormat, IdentityChannel, IncidentPriority, IncidentStatus,
    OpportunityStage,
};
use entity::{
    account as accounts, communication_method as methods, contact as contacts,
    contact_identity as identities, incident as incidents, opportunity as opportunities,
};
use sea_orm::{DbErr, QueryResult};

use super::Kept;

pub(crate) fn account(row: &QueryResult, kept: &Kept<'_>) -> Result<accounts::Model, DbErr> {
    Ok(accounts::Model {
        id: kept.key(row, "id")?,
        name: kept.get(row, "name", String::new())?,
        is_customer: kept.get(row, "is_customer", false)?,
        is_partner: kept.get(row, "is_partner", false)?,
        partner_id: kept.key(row, "partner_id")?,
        primary_contact_id: kept.key(row, "primary_contact_id")?,
        phone: kept.optional(row, "phone")?,
        website: kept.optional(row, "website")?,
        street: kept.optional(row, "street")?,
        city: kept.optional(row, "city")?,
        state: kept.optional(row, "state")?,
        postal_code: kept.optional(row, "postal_code")?,
        country: kept.optional(row, "country")?,
        notes: kept.optional(row, "notes")?,
        created_at: kept.get(row, "created_at", DateTime::UNIX_EPOCH)?,
        updated_at: kept.get(row, "updated_at", DateTime::UNIX_EPOCH)?,
    })
}

pub(crate) fn contact(row: &QueryResult, kept: &Kept<'_>) -> Result<contacts::Model, DbErr> {
    Ok(contacts::Model {
        id: kept.key(row, "id")?,
        account_id: kept.key(row, "account_id")?,
        title: kept.optional(row, "title")?,
        first_name: kept.optional(row, "first_name")?,
        last_name: kept.get(row, "last_name", String::new())?,
        alias: kept.optional(row, "alias")?,
        job_title: kept.optional(row, "job_title")?,
        description: kept.optional(row, "description")?,
        timezone: kept.optional(row, "timezone")?,
        email_format: kept.get(row, "email_format", EmailFormat::Html)?,
        marketing_opt_in: kept.get(row, "marketing_opt_in", false)?,
        email_opt_in: kept.get(row, "email_opt_in", false)?,
        sms_opt_in: kept.get(row, "sms_opt_in", false)?,
        whatsapp_opt_in: kept.get(row, "whatsapp_opt_in", false)?,
        street: kept.optional(row, "street")?,
        city: kept.optional(row, "city")?,
        state: kept.optional(row, "state")?,
        postal_code: kept.optional(row, "postal_code")?,
        country: kept.optional(row, "country")?,
        version: kept.get(row, "version", 0)?,
        created_at: kept.get(row, "created_at", DateTime::UNIX_EPOCH)?,
        updated_at: kept.get(row, "updated_at", DateTime::UNIX_EPOCH)?,
    })
}

pub(crate) fn contact_identity(
    row: &QueryResult,
    kept: &Kept<'_>,
) -> Result<identities::Model, DbErr> {
    Ok(identities::Model {
        id: kept.key(row, "id")?,
        contact_id: kept.key(row, "contact_id")?,
        channel: kept.get(row, "channel", IdentityChannel::Email)?,
        value: kept.get(row, "value", String::new())?,
        normalized_value: kept.get(row, "normalized_value", String::new())?,
        created_at: kept.get(row, "created_at", DateTime::UNIX_EPOCH)?,
        updated_at: kept.get(row, "updated_at", DateTime::UNIX_EPOCH)?,
    })
}

pub(crate) fn communication_method(
    row: &QueryResult,
    kept: &Kept<'_>,
) -> Result<methods::Model, DbErr> {
    Ok(methods::Model {
        id: kept.key(row, "id")?,
        account_id: kept.key(row, "account_id")?,
        contact_id: kept.key(row, "contact_id")?,
        kind: kept.get(row, "kind", CommunicationKind::Email)?,
        value: kept.get(row, "value", String::new())?,
        label: kept.optional(row, "label")?,
        created_at: kept.get(row, "created_at", DateTime::UNIX_EPOCH)?,
        updated_at: kept.get(row, "updated_at", DateTime::UNIX_EPOCH)?,
    })
}

pub(crate) fn incident(row: &QueryResult, kept: &Kept<'_>) -> Result<incidents::Model, DbErr> {
    Ok(incidents::Model {
        id: kept.key(row, "id")?,
        account_id: kept.key(row, "account_id")?,
        primary_contact_id: kept.key(row, "primary_contact_id")?,
        reported_by_partner_id: kept.key(row, "reported_by_partner_id")?,
        subject: kept.get(row, "subject", String::new())?,
        description: kept.optional(row, "description")?,
        status: kept.get(row, "status", IncidentStatus::New)?,
        priority: kept.get(row, "priority", IncidentPriority::Low)?,
        channel: kept.optional(row, "channel")?,
        closed_at: kept.optional(row, "closed_at")?,
        created_at: kept.get(row, "created_at", DateTime::UNIX_EPOCH)?,
        updated_at: kept.get(row, "updated_at", DateTime::UNIX_EPOCH)?,
    })
}

pub(crate) fn opportunity(
    row: &QueryResult,
    kept: &Kept<'_>,
) -> Result<opportunities::Model, DbErr> {
    Ok(opportunities::Model {
        id: kept.key(row, "id")?,
        account_id: kept.key(row, "account_id")?,
        primary_contact_id: kept.key(row, "primary_contact_id")?,
        name: kept.get(row, "name", String::new())?,
        stage: kept.get(row, "stage", OpportunityStage::Prospecting)?,
        amount: kept.optional(row, "amount")?,
        currency: kept.optional(row, "currency")?,
        expected_close_date: kept.optional(row, "expected_close_date")?,
        created_at: kept.get(row, "created_at", DateTime::UNIX_EPOCH)?,
        updated_at: kept.get(row, "updated_at", DateTime::UNIX_EPOCH)?,
    })
}
