//! The compiled read path: a query whose fields are all plain data is answered from a plan
//! instead of through the resolvers.
//!
//! async-graphql still parses, validates (with the depth and complexity limits), answers
//! introspection, and runs everything the plan does not cover. For a query operation over
//! columns, to-one relations, small lists, connections (`first`/`after`/`last`/`before`,
//! `filter`, `orderBy`), `edges`/`cursor`/`node`, `nodes`, `pageInfo`, `totalCount` and
//! `__typename`, with fragments, aliases, variables and `@skip`/`@include`, the endpoint builds a
//! [`Plan`] ([`build`]), and once validation has passed the [`CompiledReads`] extension runs it
//! in place of execution (or the endpoint runs it itself, through [`answer`], when the
//! document's validation is remembered and async-graphql has nothing left to do): [`execute`] reads each nesting level with one batched statement (the
//! same `service::relations` statements the loaders issue, under the caller's scope, which
//! enters the plan once, with the principal), and [`write`] writes the JSON answer straight
//! from the rows. Anything else (a mutation, an unknown or computed field, an argument the
//! resolvers would refuse) is answered by the resolvers unchanged, so errors are theirs.
//!
//! Layout: `tree` (the plan as data), `catalog` (what the planner knows about the schema),
//! `build`, `execute` (with `ids`, its maps), `rows` and `write`; `extension` plugs it into async-graphql.

mod build;
mod catalog;
mod execute;
mod extension;
mod ids;
mod rows;
mod tree;
mod write;

use std::sync::{Mutex, PoisonError};

use sea_orm::DatabaseConnection;

use crate::config::Config;
use crate::error::AppResult;

pub use build::{Request, Unplanned, build};
pub use extension::CompiledReads;
pub use tree::Plan;
pub use write::INITIAL_CAPACITY;

/// The JSON of `data` for `plan`: its statements run level by level, the answer written from
/// the rows. An error (a required relation without its target, a failing statement) leaves the
/// operation to the resolvers.
pub async fn answer(plan: &Plan, conn: DatabaseConnection, config: &Config) -> AppResult<Vec<u8>> {
    let mut out = Vec::with_capacity(write::INITIAL_CAPACITY);
    answer_into(&mut out, plan, conn, config).await?;
    Ok(out)
}

/// [`answer`] appended to `out`, so that a caller writing the whole response body writes `data`
/// in place instead of copying it there (a nested read's is over a megabyte).
pub async fn answer_into(
    out: &mut Vec<u8>,
    plan: &Plan,
    conn: DatabaseConnection,
    config: &Config,
) -> AppResult<()> {
    let roots = execute::run(plan, conn, config).await?;
    write::data(out, plan, &roots)
}

/// Which path answered an operation (log field `read_path`, `extensions.readPath`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadPath {
    Compiled,
    Resolvers,
}

impl ReadPath {
    pub fn as_str(self) -> &'static str {
        match self {
            ReadPath::Compiled => "compiled",
            ReadPath::Resolvers => "resolvers",
        }
    }
}

/// One operation's plan on its way into execution, and the answer coming back: put into the
/// request's data by the endpoint, taken by [`CompiledReads`] after validation.
#[derive(Default)]
pub struct CompiledRead {
    plan: Mutex<Option<Plan>>,
    answer: Mutex<Option<Vec<u8>>>,
}

impl CompiledRead {
    pub fn new(plan: Option<Plan>) -> Self {
        Self {
            plan: Mutex::new(plan),
            answer: Mutex::new(None),
        }
    }

    /// The plan, for whoever runs it (once).
    pub fn take_plan(&self) -> Option<Plan> {
        self.plan
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    fn set_answer(&self, data: Vec<u8>) {
        *self.answer.lock().unwrap_or_else(PoisonError::into_inner) = Some(data);
    }

    /// The JSON of `data`, when the plan answered.
    pub fn take_answer(&self) -> Option<Vec<u8>> {
        self.answer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}
