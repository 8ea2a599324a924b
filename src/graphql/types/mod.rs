//! One module per GraphQL object type; each wraps its stored model in an `Arc` so list pages,
//! loader caches and resolvers share rows instead of copying them.

mod account;
mod api_key;
mod audit_entry;
mod communication_method;
mod contact;
mod contact_identity;
mod enums;
mod identity_conflict;
mod incident;
mod merge_plan;
mod money;
mod node;
mod opportunity;

pub use account::Account;
pub use api_key::ApiKey;
pub use audit_entry::{AuditChange, AuditEntry};
pub use communication_method::CommunicationMethod;
pub use contact::Contact;
pub use contact_identity::ContactIdentity;
pub use enums::*;
pub use identity_conflict::{ConflictIdentity, IdentityConflict};
pub use incident::Incident;
pub use merge_plan::MergePlan;
pub use money::Money;
pub use node::Node;
pub use opportunity::Opportunity;
