//! Role checks on root fields: an operation the caller's role may not run is refused with
//! `FORBIDDEN` before its resolver starts, so nothing is read or written.

use async_graphql::{Context, ErrorExtensions, Guard, Result};

use crate::auth::Action;
use crate::error::AppError;
use crate::graphql::context;

/// Lets the field run only for roles that may perform the action.
pub struct Permit(pub Action);

impl Guard for Permit {
    async fn check(&self, ctx: &Context<'_>) -> Result<()> {
        let principal = context::principal(ctx).map_err(|err| err.extend())?;
        if principal.may(self.0) {
            return Ok(());
        }
        Err(AppError::Forbidden(format!(
            "API keys with the `{}` role may not {}",
            principal.role,
            describe(self.0)
        ))
        .extend())
    }
}

fn describe(action: Action) -> &'static str {
    match action {
        Action::ManageApiKeys => "manage API keys",
        Action::WriteAccounts => "create or change accounts",
        Action::DeleteAccounts => "delete accounts",
        Action::WriteContacts => "create or change contacts, identities or communication methods",
        Action::WriteIncidents => "create or change incidents",
        Action::WriteOpportunities => "create or change opportunities",
        Action::Delete => "delete records",
        Action::Merge => "merge contacts or settle identity conflicts",
        Action::PreviewMerge => "preview merges",
        Action::ResolveContact => "resolve contacts",
    }
}
