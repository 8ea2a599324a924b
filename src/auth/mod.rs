//! Who is asking, what they may do, and which rows they may see.
//!
//! Every request carries one [`Principal`], resolved from its bearer token by
//! [`Authenticator`]. Its [`Role`] decides which operations run at all (field guards in the
//! GraphQL layer, [`Role::may`]); its [`Scope`] decides which rows exist for it: every read and
//! write takes its row filter from `Record::visible(scope)` and nowhere else.

pub mod authenticator;
pub mod jwt;
pub mod token;

use std::fmt;

use entity::enums::ApiKeyRole;
use uuid::Uuid;

pub use authenticator::{AuthFailure, Authenticator};

/// The caller of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Written to audit entries as the author of a change: the API key's name, or a JWT's
    /// subject.
    pub actor: String,
    /// The API key the caller presented, recorded in audit entries; `None` for JWT callers and
    /// the server's own work.
    pub key_id: Option<Uuid>,
    pub role: Role,
    pub scope: Scope,
}

/// The rows a principal may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every row.
    Unrestricted,
    /// A partner account, the customer accounts it serves, their contacts (with identities and
    /// communication methods) and their incidents; nothing else.
    Partner { account: Uuid },
}

/// What a key may do. See [`Role::may`] for the rights of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Admin,
    Manager,
    Agent,
    Reader,
    Partner,
}

/// Operations that not every role may run. Reads are open to every role; what a role sees is
/// its [`Scope`]'s business.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ManageApiKeys,
    WriteAccounts,
    DeleteAccounts,
    /// Contacts with their identities and communication methods.
    WriteContacts,
    WriteIncidents,
    WriteOpportunities,
    /// Deleting contacts, incidents, opportunities and communication methods, and removing
    /// identities.
    Delete,
    /// Merging contacts and settling identity conflicts (which may merge).
    Merge,
    /// Previewing a merge: a read, but one that reveals identity clashes across accounts.
    PreviewMerge,
    /// `resolveContact` looks identities up across every account before it creates a contact.
    ResolveContact,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Manager,
        Role::Agent,
        Role::Reader,
        Role::Partner,
    ];

    /// The rights table of the README's "Authentication and roles" section.
    pub fn may(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Admin => true,
            Role::Manager => !matches!(action, ManageApiKeys | DeleteAccounts),
            Role::Agent => matches!(
                action,
                WriteContacts | WriteIncidents | WriteOpportunities | PreviewMerge | ResolveContact
            ),
            Role::Reader => matches!(action, PreviewMerge),
            Role::Partner => matches!(action, WriteContacts | WriteIncidents),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Agent => "agent",
            Role::Reader => "reader",
            Role::Partner => "partner",
        }
    }

    /// Case-insensitive role name, as the CLI and JWT claims spell it.
    pub fn parse(text: &str) -> Option<Role> {
        Self::ALL
            .into_iter()
            .find(|role| role.name().eq_ignore_ascii_case(text.trim()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl From<ApiKeyRole> for Role {
    fn from(role: ApiKeyRole) -> Self {
        match role {
            ApiKeyRole::Admin => Role::Admin,
            ApiKeyRole::Manager => Role::Manager,
            ApiKeyRole::Agent => Role::Agent,
            ApiKeyRole::Reader => Role::Reader,
            ApiKeyRole::Partner => Role::Partner,
        }
    }
}

impl From<Role> for ApiKeyRole {
    fn from(role: Role) -> Self {
        match role {
            Role::Admin => ApiKeyRole::Admin,
            Role::Manager => ApiKeyRole::Manager,
            Role::Agent => ApiKeyRole::Agent,
            Role::Reader => ApiKeyRole::Reader,
            Role::Partner => ApiKeyRole::Partner,
        }
    }
}

impl Principal {
    /// The actor of what the server does on its own (demo data, the first admin key).
    pub const SYSTEM_ACTOR: &'static str = "system";

    /// The server itself, for work no request asked for. Never the principal of a request.
    pub fn system() -> Self {
        Self {
            actor: Self::SYSTEM_ACTOR.to_owned(),
            key_id: None,
            role: Role::Admin,
            scope: Scope::Unrestricted,
        }
    }

    /// Whether this caller's role allows `action`.
    pub fn may(&self, action: Action) -> bool {
        self.role.may(action)
    }

    /// The partner account this caller acts for, if it is scoped to one.
    pub fn partner_account(&self) -> Option<Uuid> {
        match self.scope {
            Scope::Partner { account } => Some(account),
            Scope::Unrestricted => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rights_follow_the_roles_table() {
        use Action::*;
        let all = [
            ManageApiKeys,
            WriteAccounts,
            DeleteAccounts,
            WriteContacts,
            WriteIncidents,
            WriteOpportunities,
            Delete,
            Merge,
            PreviewMerge,
            ResolveContact,
        ];
        let allowed =
            |role: Role| -> Vec<Action> { all.into_iter().filter(|a| role.may(*a)).collect() };
        assert_eq!(allowed(Role::Admin), all.to_vec());
        assert_eq!(
            allowed(Role::Manager),
            vec![
                WriteAccounts,
                WriteContacts,
                WriteIncidents,
                WriteOpportunities,
                Delete,
                Merge,
                PreviewMerge,
                ResolveContact
            ]
        );
        assert_eq!(
            allowed(Role::Agent),
            vec![
                WriteContacts,
                WriteIncidents,
                WriteOpportunities,
                PreviewMerge,
                ResolveContact
            ]
        );
        assert_eq!(allowed(Role::Reader), vec![PreviewMerge]);
        assert_eq!(allowed(Role::Partner), vec![WriteContacts, WriteIncidents]);
    }

    #[test]
    fn role_names_parse_case_insensitively() {
        assert_eq!(Role::parse("Partner"), Some(Role::Partner));
        assert_eq!(Role::parse(" admin "), Some(Role::Admin));
        assert_eq!(Role::parse("root"), None);
    }
}
