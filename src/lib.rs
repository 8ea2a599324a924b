//! contacts-graph: a GraphQL gateway over a customer-contact knowledge base.
//!
//! Dependencies point one way: `http` -> `graphql` (+ `loaders`) -> `service` -> `entity`.

pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod graphql;
pub mod http;
pub mod loaders;
pub mod service;

pub use http::router as build_app;
