//! Enumerations stored as upper-case strings (never native PostgreSQL enums), so adding a value
//! is a code change rather than a schema migration on one backend only.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// How a contact prefers e-mail to be formatted.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum EmailFormat {
    #[sea_orm(string_value = "HTML")]
    Html,
    #[sea_orm(string_value = "PLAIN_TEXT")]
    PlainText,
}

/// The channel a contact identity belongs to; one identity per (channel, normalized value).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum IdentityChannel {
    #[sea_orm(string_value = "EMAIL")]
    Email,
    #[sea_orm(string_value = "SMS")]
    Sms,
    #[sea_orm(string_value = "WHATSAPP")]
    Whatsapp,
    #[sea_orm(string_value = "FACEBOOK")]
    Facebook,
    #[sea_orm(string_value = "TWITTER")]
    Twitter,
    #[sea_orm(string_value = "WECHAT")]
    Wechat,
}

/// The kind of a free-form communication method of an account or a contact.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum CommunicationKind {
    #[sea_orm(string_value = "EMAIL")]
    Email,
    #[sea_orm(string_value = "PHONE")]
    Phone,
    #[sea_orm(string_value = "MOBILE")]
    Mobile,
    #[sea_orm(string_value = "FAX")]
    Fax,
    #[sea_orm(string_value = "WEBSITE")]
    Website,
    #[sea_orm(string_value = "POSTAL_ADDRESS")]
    PostalAddress,
}

/// Lifecycle of an incident (a case).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum IncidentStatus {
    #[sea_orm(string_value = "NEW")]
    New,
    #[sea_orm(string_value = "OPEN")]
    Open,
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "SOLVED")]
    Solved,
    #[sea_orm(string_value = "CLOSED")]
    Closed,
}

/// Urgency of an incident.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum IncidentPriority {
    #[sea_orm(string_value = "LOW")]
    Low,
    #[sea_orm(string_value = "NORMAL")]
    Normal,
    #[sea_orm(string_value = "HIGH")]
    High,
    #[sea_orm(string_value = "URGENT")]
    Urgent,
}

/// The channel through which an incident was reported.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum IncidentChannel {
    #[sea_orm(string_value = "EMAIL")]
    Email,
    #[sea_orm(string_value = "PHONE")]
    Phone,
    #[sea_orm(string_value = "SMS")]
    Sms,
    #[sea_orm(string_value = "WHATSAPP")]
    Whatsapp,
    #[sea_orm(string_value = "SOCIAL")]
    Social,
    #[sea_orm(string_value = "WEB")]
    Web,
    #[sea_orm(string_value = "PARTNER")]
    Partner,
}

/// Sales stage of an opportunity.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum OpportunityStage {
    #[sea_orm(string_value = "PROSPECTING")]
    Prospecting,
    #[sea_orm(string_value = "QUALIFICATION")]
    Qualification,
    #[sea_orm(string_value = "PROPOSAL")]
    Proposal,
    #[sea_orm(string_value = "NEGOTIATION")]
    Negotiation,
    #[sea_orm(string_value = "WON")]
    Won,
    #[sea_orm(string_value = "LOST")]
    Lost,
}

/// The kind of record an audit entry is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum AuditEntityType {
    #[sea_orm(string_value = "ACCOUNT")]
    Account,
    #[sea_orm(string_value = "CONTACT")]
    Contact,
    #[sea_orm(string_value = "CONTACT_IDENTITY")]
    ContactIdentity,
    #[sea_orm(string_value = "COMMUNICATION_METHOD")]
    CommunicationMethod,
    #[sea_orm(string_value = "INCIDENT")]
    Incident,
    #[sea_orm(string_value = "OPPORTUNITY")]
    Opportunity,
    #[sea_orm(string_value = "IDENTITY_CONFLICT")]
    IdentityConflict,
    #[sea_orm(string_value = "API_KEY")]
    ApiKey,
}

/// Review state of an identity conflict.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum IdentityConflictStatus {
    #[sea_orm(string_value = "OPEN")]
    Open,
    #[sea_orm(string_value = "MERGED")]
    Merged,
    #[sea_orm(string_value = "DISMISSED")]
    Dismissed,
}

/// What happened to the record an audit entry is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum AuditAction {
    #[sea_orm(string_value = "CREATE")]
    Create,
    #[sea_orm(string_value = "UPDATE")]
    Update,
    #[sea_orm(string_value = "DELETE")]
    Delete,
    #[sea_orm(string_value = "MERGE")]
    Merge,
}

/// What an API key may do; see the server's `auth` module for the rights of each role.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ApiKeyRole {
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    #[sea_orm(string_value = "MANAGER")]
    Manager,
    #[sea_orm(string_value = "AGENT")]
    Agent,
    #[sea_orm(string_value = "READER")]
    Reader,
    #[sea_orm(string_value = "PARTNER")]
    Partner,
}
