use async_graphql::{Context, Enum, Json, Object, Result, ResultExt, SimpleObject};
use uuid::Uuid;

use crate::graphql::pagination::GraphRecord;
use crate::graphql::relation;
use crate::graphql::types::{
    Account, CommunicationMethod, Contact, ContactIdentity, Incident, Opportunity,
};
use crate::service::merge::{FieldOutcome, MergePlan as Plan};

/// What `mergeContacts` would do with these two contacts, computed by the same code that merges.
/// Nothing is written. Pass `planHash` to `mergeContacts` to merge only if nothing changed since.
pub struct MergePlan {
    plan: Plan,
    audit_entries: u64,
}

impl MergePlan {
    pub fn new(plan: Plan, audit_entries: u64) -> Self {
        Self {
            plan,
            audit_entries,
        }
    }
}

/// The value a contact field ends with, and the merged contact's value it drops.
#[derive(SimpleObject)]
pub struct MergeFieldOutcome {
    /// Field name as in the API, e.g. `city`.
    field: String,
    /// The value after the merge: the survivor's, or the merged contact's if the survivor had
    /// none.
    kept: Json<serde_json::Value>,
    /// The merged contact's value that is lost; `null` when nothing is lost.
    dropped: Json<serde_json::Value>,
}

/// Something a person should look at before merging.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum MergeWarning {
    /// The contacts belong to different accounts; merging needs `allowCrossAccount` and the
    /// survivor's account stays.
    DifferentAccounts,
    /// The merged contact is an account's primary contact; the survivor takes its place only
    /// for its own account, elsewhere the primary contact is cleared.
    MergedIsPrimaryContact,
    /// Some fields have different values on the two contacts; the merged contact's are dropped.
    ValuesDropped,
}

async fn records<N: GraphRecord>(ctx: &Context<'_>, ids: &[Uuid]) -> Result<Vec<N>> {
    let loads = ids.iter().map(|id| relation::record::<N>(ctx, Some(*id)));
    let found = async_graphql::futures_util::future::try_join_all(loads)
        .await
        .extend()?;
    Ok(found.into_iter().flatten().collect())
}

/// What `mergeContacts` would do with these two contacts, computed by the same code that merges.
/// Nothing is written. Pass `planHash` to `mergeContacts` to merge only if nothing changed since.
#[Object]
impl MergePlan {
    /// The contact that stays, as it is now.
    async fn survivor(&self) -> Contact {
        Contact::from_model(self.plan.survivor.clone().into())
    }

    /// The contact that would be absorbed and deleted, as it is now.
    async fn merged(&self) -> Contact {
        Contact::from_model(self.plan.merged.clone().into())
    }

    /// Every field the merged contact has a value for, with the outcome.
    async fn fields(&self) -> Vec<MergeFieldOutcome> {
        self.plan
            .fields
            .iter()
            .map(
                |FieldOutcome {
                     field,
                     kept,
                     dropped,
                 }| MergeFieldOutcome {
                    field: (*field).to_owned(),
                    kept: Json(kept.clone()),
                    dropped: Json(dropped.clone()),
                },
            )
            .collect()
    }

    /// The survivor's account after the merge.
    async fn account(&self, ctx: &Context<'_>) -> Result<Option<Account>> {
        relation::record(ctx, self.plan.result.account_id)
            .await
            .extend()
    }

    /// Identities that move to the survivor.
    async fn identities(&self, ctx: &Context<'_>) -> Result<Vec<ContactIdentity>> {
        records(ctx, &self.plan.identities).await
    }

    /// Communication methods that move to the survivor.
    async fn communication_methods(&self, ctx: &Context<'_>) -> Result<Vec<CommunicationMethod>> {
        records(ctx, &self.plan.communication_methods).await
    }

    /// Incidents whose primary contact becomes the survivor.
    async fn incidents(&self, ctx: &Context<'_>) -> Result<Vec<Incident>> {
        records(ctx, &self.plan.incidents).await
    }

    /// Opportunities whose primary contact becomes the survivor.
    async fn opportunities(&self, ctx: &Context<'_>) -> Result<Vec<Opportunity>> {
        records(ctx, &self.plan.opportunities).await
    }

    /// Audit entries of the merged contact that will show in the survivor's `auditLog`.
    async fn audit_entry_count(&self) -> u64 {
        self.audit_entries
    }

    /// Things a person should look at before merging; empty when there are none.
    async fn warnings(&self) -> Vec<MergeWarning> {
        let mut warnings = Vec::new();
        if self.plan.cross_account {
            warnings.push(MergeWarning::DifferentAccounts);
        }
        if !self.plan.primary_contact_of.is_empty() {
            warnings.push(MergeWarning::MergedIsPrimaryContact);
        }
        if self.plan.fields.iter().any(|f| !f.dropped.is_null()) {
            warnings.push(MergeWarning::ValuesDropped);
        }
        warnings
    }

    /// Fingerprint of the plan; `mergeContacts(input: { expectedPlanHash })` refuses to merge if
    /// it no longer matches.
    async fn plan_hash(&self) -> String {
        self.plan.hash()
    }
}
