//! What a partner sees, as SQL conditions: the one definition of the partner scope.
//!
//! A partner key for account P sees P and the customer accounts whose partner is P; the contacts
//! of those customers with their identities and communication methods; the incidents filed under
//! those accounts about those contacts; and the
//! audit entries of those records. Everything else does not exist for it. Each condition is a
//! `WHERE` clause with subqueries, so it fits every statement the read paths build (root pages,
//! per-parent pages, by-id batches, counts) and nothing is filtered after loading.

use entity::enums::AuditEntityType;
use entity::{
    account, audit_entry, communication_method, contact, contact_identity, contact_redirect,
    incident,
};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

/// No row at all.
pub fn nothing() -> Condition {
    Condition::all().add(Expr::cust("1 = 0"))
}

/// Ids of the accounts a partner sees: itself and its customers.
fn account_ids(partner: Uuid) -> SelectStatement {
    Query::select()
        .column((account::Entity, account::Column::Id))
        .from(account::Entity)
        .cond_where(accounts(partner))
        .to_owned()
}

/// Ids of the partner's customers: the accounts whose contacts it manages.
fn customer_ids(partner: Uuid) -> SelectStatement {
    Query::select()
        .column((account::Entity, account::Column::Id))
        .from(account::Entity)
        .and_where(Expr::col((account::Entity, account::Column::PartnerId)).eq(partner))
        .to_owned()
}

fn contact_ids(partner: Uuid) -> SelectStatement {
    Query::select()
        .column((contact::Entity, contact::Column::Id))
        .from(contact::Entity)
        .cond_where(contacts(partner))
        .to_owned()
}

/// Ids that were merged into a contact the partner sees: audit entries filed under them belong
/// to the survivor's history.
fn merged_contact_ids(partner: Uuid) -> SelectStatement {
    Query::select()
        .column((contact_redirect::Entity, contact_redirect::Column::MergedId))
        .from(contact_redirect::Entity)
        .cond_where(redirects(partner))
        .to_owned()
}

fn method_ids(partner: Uuid) -> SelectStatement {
    Query::select()
        .column((
            communication_method::Entity,
            communication_method::Column::Id,
        ))
        .from(communication_method::Entity)
        .cond_where(methods(partner))
        .to_owned()
}

fn incident_ids(partner: Uuid) -> SelectStatement {
    Query::select()
        .column((incident::Entity, incident::Column::Id))
        .from(incident::Entity)
        .cond_where(incidents(partner))
        .to_owned()
}

pub fn accounts(partner: Uuid) -> Condition {
    Condition::any()
        .add(Expr::col((account::Entity, account::Column::Id)).eq(partner))
        .add(Expr::col((account::Entity, account::Column::PartnerId)).eq(partner))
}

pub fn contacts(partner: Uuid) -> Condition {
    Condition::all().add(
        Expr::col((contact::Entity, contact::Column::AccountId)).in_subquery(customer_ids(partner)),
    )
}

pub fn identities(partner: Uuid) -> Condition {
    Condition::all().add(
        Expr::col((
            contact_identity::Entity,
            contact_identity::Column::ContactId,
        ))
        .in_subquery(contact_ids(partner)),
    )
}

/// Methods of the accounts it sees (read-only for partners) and of the contacts it manages.
pub fn methods(partner: Uuid) -> Condition {
    Condition::any()
        .add(
            Expr::col((
                communication_method::Entity,
                communication_method::Column::AccountId,
            ))
            .in_subquery(account_ids(partner)),
        )
        .add(
            Expr::col((
                communication_method::Entity,
                communication_method::Column::ContactId,
            ))
            .in_subquery(contact_ids(partner)),
        )
}

/// Cases filed under the accounts it sees, about the contacts it manages. (Both columns are
/// indexed: the account side lets PostgreSQL start from the partner's few accounts instead of
/// scanning every case.)
pub fn incidents(partner: Uuid) -> Condition {
    Condition::all()
        .add(
            Expr::col((incident::Entity, incident::Column::AccountId))
                .in_subquery(account_ids(partner)),
        )
        .add(
            Expr::col((incident::Entity, incident::Column::PrimaryContactId))
                .in_subquery(contact_ids(partner)),
        )
}

pub fn redirects(partner: Uuid) -> Condition {
    Condition::all().add(
        Expr::col((
            contact_redirect::Entity,
            contact_redirect::Column::SurvivorId,
        ))
        .in_subquery(contact_ids(partner)),
    )
}

/// Entries about the accounts, methods and incidents it sees, and the history of the contacts
/// it sees (their own entries, their identities' and methods', including ids merged into them).
pub fn audit_entries(partner: Uuid) -> Condition {
    let entity_type = || audit_entry::Column::EntityType;
    let entity_id = || Expr::col((audit_entry::Entity, audit_entry::Column::EntityId));
    let contact_id = || Expr::col((audit_entry::Entity, audit_entry::Column::ContactId));
    Condition::any()
        .add(
            Condition::all()
                .add(entity_type().eq(AuditEntityType::Account))
                .add(entity_id().in_subquery(account_ids(partner))),
        )
        .add(
            Condition::all()
                .add(entity_type().eq(AuditEntityType::Incident))
                .add(entity_id().in_subquery(incident_ids(partner))),
        )
        .add(
            Condition::all()
                .add(entity_type().eq(AuditEntityType::CommunicationMethod))
                .add(entity_id().in_subquery(method_ids(partner))),
        )
        .add(
            Condition::all()
                .add(entity_type().is_in([
                    AuditEntityType::Contact,
                    AuditEntityType::ContactIdentity,
                    AuditEntityType::CommunicationMethod,
                ]))
                .add(
                    Condition::any()
                        .add(contact_id().in_subquery(contact_ids(partner)))
                        .add(contact_id().in_subquery(merged_contact_ids(partner))),
                ),
        )
}
