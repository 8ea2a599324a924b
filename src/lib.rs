//! contacts-graph: a GraphQL gateway over a customer-contact knowledge base.
//!
//! Dependencies point one way: `http` -> `graphql` (+ `loaders`) -> `service` -> `entity`.

pub mod apikey_cli;
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

/// mimalloc instead of the system allocator, for every binary built on this crate (the server,
/// `bench`, the tests). A nested answer allocates tens of thousands of small values per request;
/// glibc's malloc spent a fifth of the CPU time on them (profiled with `bench`) and kept
/// per-thread arenas that grew the resident memory under load. The `override` feature makes it
/// serve SQLite's C allocations too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
