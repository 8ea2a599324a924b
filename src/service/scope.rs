//! A database handle bound to the caller of one request.

use entity::{account, contact};
use sea_orm::{ConnectionTrait, DatabaseConnection, QueryFilter};
use uuid::Uuid;

use crate::auth::{Principal, Scope};
use crate::error::{AppError, AppResult};
use crate::service::patch::Patch;
use crate::service::record::Record;

/// The connection every service function goes through. It carries the caller, so no query can
/// be written without the caller's scope and no change without its actor; loaders built on it
/// never mix callers.
#[derive(Clone)]
pub struct ScopedDb {
    conn: DatabaseConnection,
    principal: Principal,
}

impl ScopedDb {
    pub fn new(conn: DatabaseConnection, principal: &Principal) -> Self {
        Self {
            conn,
            principal: principal.clone(),
        }
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub fn scope(&self) -> Scope {
        self.principal.scope
    }

    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// One record by id, if it exists and the caller may see it, read through `conn` (the
    /// connection or the caller's transaction).
    pub async fn find<E: Record, C: ConnectionTrait>(
        &self,
        conn: &C,
        id: Uuid,
    ) -> AppResult<Option<E::Model>> {
        Ok(E::find()
            .filter(E::visible_with_ids(self.scope(), [id]))
            .one(conn)
            .await?)
    }
}

/// What a partner key may write beyond what it may see: its changes must leave every record it
/// touches inside its scope, and it acts only for contacts, never for accounts.
impl ScopedDb {
    /// A partner keeps contacts under its customer accounts: a contact without an account, or
    /// under the partner's own account, would vanish from its view the moment it was written.
    pub fn check_contact_account(&self, account: Option<&account::Model>) -> AppResult<()> {
        let Some(partner) = self.principal.partner_account() else {
            return Ok(());
        };
        if account.is_some_and(|account| account.partner_id == Some(partner)) {
            return Ok(());
        }
        Err(AppError::Forbidden(
            "partner keys keep contacts under the customer accounts they serve".to_owned(),
        ))
    }

    /// An identity owned by a contact the caller cannot see is still taken (identities are
    /// unique across all contacts), but the refusal must not name that contact.
    pub async fn conceal_foreign_owner<C: ConnectionTrait>(
        &self,
        conn: &C,
        err: AppError,
    ) -> AppError {
        let AppError::IdentityTaken {
            channel,
            value,
            owner,
        } = err
        else {
            return err;
        };
        match self.find::<contact::Entity, _>(conn, owner).await {
            Ok(Some(_)) => AppError::IdentityTaken {
                channel,
                value,
                owner,
            },
            Ok(None) => AppError::Conflict(format!(
                "{channel} identity `{value}` already belongs to another contact"
            )),
            Err(lookup) => lookup,
        }
    }

    /// Partners see the communication methods of accounts but change only those of contacts.
    pub fn check_method_owner(&self, is_account_method: bool) -> AppResult<()> {
        if is_account_method && self.principal.partner_account().is_some() {
            return Err(AppError::Forbidden(
                "partner keys change communication methods of contacts only".to_owned(),
            ));
        }
        Ok(())
    }

    /// The reporting partner of a case a partner key opens is that partner, whatever the input
    /// says; other callers name it themselves.
    pub fn reporting_partner(&self, requested: Option<Uuid>) -> AppResult<Option<Uuid>> {
        match self.principal.partner_account() {
            None => Ok(requested),
            Some(partner) if requested.is_none_or(|id| id == partner) => Ok(Some(partner)),
            Some(_) => Err(AppError::missing("reportedByPartnerId", "account")),
        }
    }

    /// A partner's cases are filed under an account it sees; one without an account would vanish
    /// from its view.
    pub fn check_incident_account(&self, account: Option<Uuid>) -> AppResult<()> {
        if account.is_none() && self.principal.partner_account().is_some() {
            return Err(AppError::Forbidden(
                "partner keys file cases under an account".to_owned(),
            ));
        }
        Ok(())
    }

    /// A partner may not hand a case's reporting over to someone else, or clear it.
    pub fn check_reporting_change(&self, change: &Patch<Uuid>) -> AppResult<()> {
        match (self.principal.partner_account(), change) {
            (None, _) | (_, Patch::Keep) => Ok(()),
            (Some(partner), Patch::Set(id)) if *id == partner => Ok(()),
            (Some(_), Patch::Set(_)) => Err(AppError::missing("reportedByPartnerId", "account")),
            (Some(_), Patch::Clear) => Err(AppError::Forbidden(
                "partner keys cannot clear the reporting partner".to_owned(),
            )),
        }
    }
}
