//! Who is asking, and which rows they may see.
//!
//! Every request carries one [`Principal`]. Loaders and list queries take their row filter from
//! its [`Scope`] and nowhere else, so adding partner scoping later changes one place
//! (`service::scope`), not every query.

/// The caller of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Written to audit entries as the author of a change.
    pub actor: String,
    pub scope: Scope,
}

/// The rows a principal may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every row. API keys with narrower roles (partner scoping) will add variants here.
    Unrestricted,
}

impl Principal {
    /// Name recorded as the actor while the server has no authentication: every request
    /// is made by the operator of this local installation.
    pub const LOCAL_ACTOR: &'static str = "local";

    /// The principal of every request until API keys exist.
    pub fn local() -> Self {
        Self {
            actor: Self::LOCAL_ACTOR.to_owned(),
            scope: Scope::Unrestricted,
        }
    }
}
