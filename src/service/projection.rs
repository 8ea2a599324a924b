//! Which columns a read fills. A nested answer usually selects a handful of a record's columns;
//! reading and decoding all of them for thousands of rows costs more than the statement's
//! search. A projection leaves out nullable columns nobody asked for: they come back as `NULL`,
//! so the rows still decode into the record's model, with those fields `None`. Keys (`id` and
//! every `*_id`) and non-null columns are always read.
//!
//! A model read under a projection is only good for the fields the projection kept; only the
//! compiled read path uses projections, with one projection per record type for a whole request
//! (so rows it shares between levels are alike).

use std::collections::HashSet;
use std::sync::Arc;

use sea_orm::sea_query::{Alias, Expr, SelectStatement};
use sea_orm::{ColumnTrait, EntityTrait, IdenStatic, Iterable};

/// The columns of a table a read leaves out (database names); empty reads every column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Projection {
    left_out: Arc<[&'static str]>,
}

impl Projection {
    /// Every column.
    pub fn all() -> Self {
        Self::default()
    }

    /// The columns of `E` in `needed` (database names) plus every key and non-null column.
    pub fn only<E: EntityTrait>(needed: &HashSet<&str>) -> Self {
        let left_out: Vec<&'static str> = E::Column::iter()
            .filter(|column| {
                let name = column.as_str();
                column.def().is_null()
                    && !needed.contains(name)
                    && name != "id"
                    && !name.ends_with("_id")
            })
            .map(|column| column.as_str())
            .collect();
        Self {
            left_out: left_out.into(),
        }
    }

    pub fn is_all(&self) -> bool {
        self.left_out.is_empty()
    }

    /// Replaces the select list of a `SELECT <all columns of E> ...` with the projection's.
    /// Call it before adding other expressions (sort keys, parent columns).
    pub fn apply<E: EntityTrait>(&self, select: &mut SelectStatement) {
        if self.is_all() {
            return;
        }
        select.clear_selects();
        for column in E::Column::iter() {
            let name = column.as_str();
            if self.left_out.contains(&name) {
                select.expr_as(Expr::cust("NULL"), Alias::new(name));
            } else {
                select.column((E::default(), column));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::contact;
    use sea_orm::{DbBackend, QueryTrait};

    #[test]
    fn keys_and_required_columns_are_always_read() {
        let needed = HashSet::from(["first_name"]);
        let projection = Projection::only::<contact::Entity>(&needed);
        let mut select = contact::Entity::find().into_query();
        projection.apply::<contact::Entity>(&mut select);
        let sql = DbBackend::Sqlite.build(&select).to_string();
        for kept in [
            "\"first_name\"",
            "\"last_name\"",
            "\"account_id\"",
            "\"version\"",
        ] {
            assert!(
                sql.contains(&format!("\"contact\".{kept}")),
                "{kept} in {sql}"
            );
        }
        assert!(sql.contains("NULL AS \"description\""), "{sql}");
    }

    #[test]
    fn the_full_projection_leaves_the_statement_alone() {
        let mut select = contact::Entity::find().into_query();
        let before = DbBackend::Sqlite.build(&select).to_string();
        Projection::all().apply::<contact::Entity>(&mut select);
        assert_eq!(DbBackend::Sqlite.build(&select).to_string(), before);
    }
}
