//! SeaORM entities of contacts-graph.
//!
//! This crate holds data shapes only: tables, columns, stored enums and foreign-key relations.
//! Business rules live in the server's `service` layer, and nothing here knows about GraphQL.

pub mod account;
pub mod api_key;
pub mod audit_entry;
pub mod communication_method;
pub mod contact;
pub mod contact_identity;
pub mod contact_redirect;
pub mod enums;
pub mod identity_conflict;
pub mod incident;
pub mod opportunity;
