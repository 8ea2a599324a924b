//! The `filter:` and `orderBy:` arguments of connections: typed GraphQL inputs per record type,
//! turned into the service's `ListSpec` (plain data, validated here once, translated to SQL by
//! `service::listing`). Every refusal names the path of the offending part, e.g.
//! `filter.or[1].lastName.in`.

mod operators;
mod order;
mod records;

pub use operators::*;
pub use order::*;
pub use records::*;

use sea_orm::ActiveEnum;

use crate::error::AppResult;
use crate::service::listing::{Field, Filter, FilterLimits, ListSpec, Op};

/// Where in the argument a part sits, and how deep: for limits and error messages.
#[derive(Debug, Clone)]
pub struct Build {
    limits: FilterLimits,
    path: String,
    depth: usize,
}

impl Build {
    pub fn root(argument: &str) -> Self {
        Self {
            limits: FilterLimits::default(),
            path: argument.to_owned(),
            depth: 0,
        }
    }

    fn at(&self, name: &str) -> Self {
        Self {
            path: format!("{}.{name}", self.path),
            ..self.clone()
        }
    }

    fn index(&self, index: usize) -> Self {
        Self {
            path: format!("{}[{index}]", self.path),
            ..self.clone()
        }
    }

    /// One level deeper (a logical operator or a relation).
    fn nested(&self, name: &str) -> AppResult<Self> {
        let next = Self {
            depth: self.depth + 1,
            ..self.at(name)
        };
        next.limits.check_depth(&next.path, next.depth)?;
        Ok(next)
    }

    fn text(&self, text: &str) -> AppResult<()> {
        self.limits.check_text(&self.path, text)
    }

    fn list(&self, len: usize) -> AppResult<()> {
        self.limits.check_list(&self.path, len)
    }
}

/// Operators of one field, as service operations on its column.
pub trait FieldOps {
    fn ops(self, build: &Build) -> AppResult<Vec<Op>>;
}

/// A record filter input.
pub trait RecordFilter: Sized {
    fn into_filter(self, build: &Build) -> AppResult<Filter>;
}

/// Collects the parts of one record filter; they all must hold.
struct Parts<'a> {
    build: &'a Build,
    parts: Vec<Filter>,
}

impl<'a> Parts<'a> {
    fn new(build: &'a Build) -> Self {
        Self {
            build,
            parts: Vec::new(),
        }
    }

    fn field(&mut self, name: &str, field: Field, ops: Option<impl FieldOps>) -> AppResult<()> {
        if let Some(ops) = ops {
            for op in ops.ops(&self.build.at(name))? {
                self.parts.push(Filter::Field(field, op));
            }
        }
        Ok(())
    }

    fn push(&mut self, filter: Filter) {
        self.parts.push(filter);
    }

    /// `and`, `or` and `not` of the same record filter type.
    fn logic<F: RecordFilter>(
        &mut self,
        and: Option<Vec<F>>,
        or: Option<Vec<F>>,
        not: Option<Box<F>>,
    ) -> AppResult<()> {
        if let Some(and) = and {
            let build = self.build.nested("and")?;
            let parts = and
                .into_iter()
                .enumerate()
                .map(|(i, part)| part.into_filter(&build.index(i)))
                .collect::<AppResult<_>>()?;
            self.parts.push(Filter::All(parts));
        }
        if let Some(or) = or {
            let build = self.build.nested("or")?;
            build.list(or.len())?;
            let parts = or
                .into_iter()
                .enumerate()
                .map(|(i, part)| part.into_filter(&build.index(i)))
                .collect::<AppResult<_>>()?;
            self.parts.push(Filter::Any(parts));
        }
        if let Some(not) = not {
            let build = self.build.nested("not")?;
            self.parts
                .push(Filter::Not(Box::new(not.into_filter(&build)?)));
        }
        Ok(())
    }

    fn done(self) -> Filter {
        Filter::All(self.parts)
    }
}

/// The spec of a connection from its `filter` and `orderBy` arguments.
pub fn spec<F: RecordFilter, O: OrderInput>(
    filter: Option<F>,
    order_by: Option<Vec<O>>,
) -> AppResult<ListSpec> {
    let filter = filter
        .map(|filter| filter.into_filter(&Build::root("filter")))
        .transpose()?;
    let order = order::keys(order_by.unwrap_or_default())?;
    Ok(ListSpec { filter, order })
}

/// The stored spelling of an enum value, as filters compare it.
fn stored_text<E: ActiveEnum<Value = String>>(value: E) -> String {
    value.to_value()
}
