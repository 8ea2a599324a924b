//! What every stored record type offers the generic read paths: its key, and which of its rows
//! a scope may see.

use entity::{
    account, api_key, audit_entry, communication_method, contact, contact_identity,
    contact_redirect, identity_conflict, incident, opportunity,
};
use sea_orm::{ColumnTrait, Condition, DbErr, EntityTrait, FromQueryResult, QueryResult};
use uuid::Uuid;

use crate::auth::Scope;
use crate::service::listing::Table;
use crate::service::projection::{self, Kept};
use crate::service::visibility;

/// A table whose rows are addressed by a UUID v7 `id`.
pub trait Record: EntityTrait<Model: FromQueryResult + Send + Sync + 'static> {
    fn id_column() -> Self::Column;

    fn id_of(model: &Self::Model) -> Uuid;

    /// The table as lists name it for filters, for the record types whose lists can be
    /// filtered.
    const LIST_TABLE: Option<Table> = None;

    /// Whether ids of this table can have been merged away (see `contact_redirect`), so that a
    /// lookup by a missing id should follow the redirect to the survivor.
    const FOLLOWS_REDIRECTS: bool = false;

    /// Whether [`Record::sparse`] can decode rows holding only some columns (see
    /// `service::projection`).
    const SPARSE: bool = false;

    /// A model from a row holding only the `kept` columns and the keys; tables without a sparse
    /// decoder read every column, so this is never called for them.
    fn sparse(row: &QueryResult, _kept: &Kept<'_>) -> Result<Self::Model, DbErr> {
        Self::Model::from_query_result(row, "")
    }

    /// The rows of this table a partner key for `partner` sees (see `service::visibility`).
    fn visible_to_partner(partner: Uuid) -> Condition;

    /// The rows of this table `scope` may see, as a `WHERE` condition. Every read path applies
    /// it in SQL; nothing is filtered after loading.
    fn visible(scope: Scope) -> Condition {
        match scope {
            Scope::Unrestricted => Condition::all(),
            // Wrapped, so that callers can `add` to the result: `Condition::any().add` would OR.
            Scope::Partner { account } => Condition::all().add(Self::visible_to_partner(account)),
        }
    }

    /// `id IN (ids)`, restricted to what `scope` may see.
    fn visible_with_ids(scope: Scope, ids: impl IntoIterator<Item = Uuid>) -> Condition {
        Self::visible(scope).add(Self::id_column().is_in(ids))
    }
}

macro_rules! record {
    ($($module:ident $(=> $redirects:literal)? $([$table:ident])? $({$sparse:path})?: $partner:path),* $(,)?) => {$(
        impl Record for $module::Entity {
            $(const FOLLOWS_REDIRECTS: bool = $redirects;)?
            $(const LIST_TABLE: Option<Table> = Some(Table::$table);)?
            $(
                const SPARSE: bool = true;

                fn sparse(row: &QueryResult, kept: &Kept<'_>) -> Result<Self::Model, DbErr> {
                    $sparse(row, kept)
                }
            )?

            fn id_column() -> Self::Column {
                $module::Column::Id
            }

            fn visible_to_partner(partner: Uuid) -> Condition {
                $partner(partner)
            }

            fn id_of(model: &Self::Model) -> Uuid {
                model.id
            }
        }
    )*};
}

/// Redirects are addressed by the id that was merged away.
impl Record for contact_redirect::Entity {
    fn id_column() -> Self::Column {
        contact_redirect::Column::MergedId
    }

    fn id_of(model: &Self::Model) -> Uuid {
        model.merged_id
    }

    fn visible_to_partner(partner: Uuid) -> Condition {
        visibility::redirects(partner)
    }
}

/// Opportunities, identity conflicts and API keys do not exist for partners. (API keys are
/// further limited to admin keys, by role.)
fn hidden(_partner: Uuid) -> Condition {
    visibility::nothing()
}

record!(
    account [Account] {projection::account}: visibility::accounts,
    contact => true [Contact] {projection::contact}: visibility::contacts,
    contact_identity [ContactIdentity] {projection::contact_identity}: visibility::identities,
    communication_method {projection::communication_method}: visibility::methods,
    incident [Incident] {projection::incident}: visibility::incidents,
    opportunity [Opportunity] {projection::opportunity}: hidden,
    audit_entry [AuditEntry]: visibility::audit_entries,
    identity_conflict: hidden,
    api_key: hidden,
);
