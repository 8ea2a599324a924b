//! Table and column names, shared by the migrations so a typo cannot create a second spelling.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden, Clone, Copy)]
pub enum Account {
    Table,
    Id,
    Name,
    IsCustomer,
    IsPartner,
    PartnerId,
    PrimaryContactId,
    Phone,
    Website,
    Street,
    City,
    State,
    PostalCode,
    Country,
    Notes,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Contact {
    Table,
    Id,
    AccountId,
    Title,
    FirstName,
    LastName,
    Alias,
    JobTitle,
    Description,
    Timezone,
    EmailFormat,
    MarketingOptIn,
    EmailOptIn,
    SmsOptIn,
    WhatsappOptIn,
    Street,
    City,
    State,
    PostalCode,
    Country,
    Version,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum ContactIdentity {
    Table,
    Id,
    ContactId,
    Channel,
    Value,
    NormalizedValue,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum CommunicationMethod {
    Table,
    Id,
    AccountId,
    ContactId,
    Kind,
    Value,
    Label,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Incident {
    Table,
    Id,
    AccountId,
    PrimaryContactId,
    ReportedByPartnerId,
    Subject,
    Description,
    Status,
    Priority,
    Channel,
    ClosedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Opportunity {
    Table,
    Id,
    AccountId,
    PrimaryContactId,
    Name,
    Stage,
    Amount,
    Currency,
    ExpectedCloseDate,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum AuditEntry {
    Table,
    Id,
    OperationId,
    EntityType,
    EntityId,
    ContactId,
    Action,
    Actor,
    ApiKeyId,
    At,
    Changes,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum ContactRedirect {
    Table,
    MergedId,
    SurvivorId,
    MergedAt,
    Actor,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum IdentityConflict {
    Table,
    Id,
    Status,
    Identities,
    ContactIds,
    ResolvedAt,
    ResolvedBy,
    SurvivorId,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Timestamps {
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum ApiKey {
    Table,
    Id,
    Name,
    Role,
    PartnerAccountId,
    TokenSha256,
    TokenPrefix,
    CreatedAt,
    LastUsedAt,
    ExpiresAt,
    RevokedAt,
}
