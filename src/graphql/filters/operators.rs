//! Operator inputs, one per kind of value. Only the operators that fit a type exist on its
//! input, so a wrong operator is a validation error of the document.

use async_graphql::{ID, InputObject};
use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{AppError, AppResult};
use crate::graphql::filters::{Build, FieldOps, stored_text};
use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::types::{
    AuditAction, AuditEntityType, EmailFormat, IdentityChannel, IncidentChannel, IncidentPriority,
    IncidentStatus, OpportunityStage,
};
use crate::service::listing::{Op, Scalar};

/// Builds the operations shared by every operator input: equality, lists and nulls.
fn equality<T>(
    build: &Build,
    eq: Option<T>,
    ne: Option<T>,
    in_: Option<Vec<T>>,
    not_in: Option<Vec<T>>,
    is_null: Option<bool>,
    scalar: impl Fn(&Build, T) -> AppResult<Scalar>,
) -> AppResult<Vec<Op>> {
    let mut ops = Vec::new();
    if let Some(value) = eq {
        ops.push(Op::Eq(scalar(&build.at("eq"), value)?));
    }
    if let Some(value) = ne {
        ops.push(Op::Ne(scalar(&build.at("ne"), value)?));
    }
    for (name, values, negated) in [("in", in_, false), ("notIn", not_in, true)] {
        if let Some(values) = values {
            let build = build.at(name);
            build.list(values.len())?;
            let values = values
                .into_iter()
                .enumerate()
                .map(|(i, value)| scalar(&build.index(i), value))
                .collect::<AppResult<Vec<_>>>()?;
            ops.push(if negated {
                Op::NotIn(values)
            } else {
                Op::In(values)
            });
        }
    }
    if let Some(is_null) = is_null {
        ops.push(Op::IsNull(is_null));
    }
    Ok(ops)
}

fn ordering<T>(
    build: &Build,
    ops: &mut Vec<Op>,
    [gt, gte, lt, lte]: [Option<T>; 4],
    scalar: impl Fn(&Build, T) -> AppResult<Scalar>,
) -> AppResult<()> {
    let mut push = |name: &str, value: Option<T>, op: fn(Scalar) -> Op| -> AppResult<()> {
        if let Some(value) = value {
            ops.push(op(scalar(&build.at(name), value)?));
        }
        Ok(())
    };
    push("gt", gt, Op::Gt)?;
    push("gte", gte, Op::Gte)?;
    push("lt", lt, Op::Lt)?;
    push("lte", lte, Op::Lte)
}

fn text(build: &Build, value: String) -> AppResult<Scalar> {
    build.text(&value)?;
    Ok(Scalar::Text(value))
}

/// Conditions on a text field. `eq`, `ne`, `in` and `notIn` compare exactly; `contains`,
/// `startsWith` and `endsWith` ignore case (ASCII letters on SQLite, all letters on PostgreSQL).
/// Strings are at most 1 KiB, lists at most 100 values.
#[derive(InputObject, Default)]
pub struct StringFilter {
    /// Equal to this value.
    pub eq: Option<String>,
    /// Also matches where the field is empty (null).
    pub ne: Option<String>,
    /// One of these values (1 to 100 values).
    #[graphql(name = "in")]
    pub in_: Option<Vec<String>>,
    /// Also matches where the field is empty (null).
    pub not_in: Option<Vec<String>>,
    /// `true`: the field is empty; `false`: it has a value.
    pub is_null: Option<bool>,
    /// Contains this text, ignoring case.
    pub contains: Option<String>,
    /// Starts with this text, ignoring case.
    pub starts_with: Option<String>,
    /// Ends with this text, ignoring case.
    pub ends_with: Option<String>,
}

impl FieldOps for StringFilter {
    fn ops(self, build: &Build) -> AppResult<Vec<Op>> {
        let mut ops = equality(
            build,
            self.eq,
            self.ne,
            self.in_,
            self.not_in,
            self.is_null,
            text,
        )?;
        let mut pattern = |name: &str, value: Option<String>, op: fn(String) -> Op| {
            if let Some(value) = value {
                build.at(name).text(&value)?;
                ops.push(op(value));
            }
            AppResult::Ok(())
        };
        pattern("contains", self.contains, Op::Contains)?;
        pattern("startsWith", self.starts_with, Op::StartsWith)?;
        pattern("endsWith", self.ends_with, Op::EndsWith)?;
        Ok(ops)
    }
}

/// Conditions on a reference: global ids of the referenced type.
#[derive(InputObject, Default)]
pub struct IdFilter {
    /// Equal to this value.
    pub eq: Option<ID>,
    /// Not equal to this value (also true where the field is empty).
    pub ne: Option<ID>,
    /// One of these values (1 to 100 values).
    #[graphql(name = "in")]
    pub in_: Option<Vec<ID>>,
    /// None of these values (also true where the field is empty; 1 to 100 values).
    pub not_in: Option<Vec<ID>>,
    /// `true`: the field is empty; `false`: it has a value.
    pub is_null: Option<bool>,
}

impl IdFilter {
    /// The filter with the type its ids must name.
    pub fn of(self, node_type: NodeType) -> TypedIds {
        TypedIds(self, node_type)
    }
}

/// An [`IdFilter`] with the type its ids must name.
pub struct TypedIds(IdFilter, NodeType);

impl FieldOps for TypedIds {
    fn ops(self, build: &Build) -> AppResult<Vec<Op>> {
        let TypedIds(filter, node_type) = self;
        equality(
            build,
            filter.eq,
            filter.ne,
            filter.in_,
            filter.not_in,
            filter.is_null,
            |build, id: ID| {
                GlobalId::parse_as(&id, node_type)
                    .map(Scalar::Id)
                    .map_err(|err| AppError::bad_input(format!("`{}`: {err}", build.path)))
            },
        )
    }
}

/// Conditions on a point in time (UTC).
#[derive(InputObject, Default)]
pub struct DateTimeFilter {
    /// Equal to this value.
    pub eq: Option<DateTime<Utc>>,
    /// Not equal to this value (also true where the field is empty).
    pub ne: Option<DateTime<Utc>>,
    /// One of these values (1 to 100 values).
    #[graphql(name = "in")]
    pub in_: Option<Vec<DateTime<Utc>>>,
    /// None of these values (also true where the field is empty; 1 to 100 values).
    pub not_in: Option<Vec<DateTime<Utc>>>,
    /// `true`: the field is empty; `false`: it has a value.
    pub is_null: Option<bool>,
    /// Greater (for times: later) than this.
    pub gt: Option<DateTime<Utc>>,
    /// Greater than or equal to this.
    pub gte: Option<DateTime<Utc>>,
    /// Less (for times: earlier) than this.
    pub lt: Option<DateTime<Utc>>,
    /// Less than or equal to this.
    pub lte: Option<DateTime<Utc>>,
}

impl FieldOps for DateTimeFilter {
    fn ops(self, build: &Build) -> AppResult<Vec<Op>> {
        let time = |_: &Build, at: DateTime<Utc>| Ok(Scalar::Time(at));
        let mut ops = equality(
            build,
            self.eq,
            self.ne,
            self.in_,
            self.not_in,
            self.is_null,
            time,
        )?;
        ordering(
            build,
            &mut ops,
            [self.gt, self.gte, self.lt, self.lte],
            time,
        )?;
        Ok(ops)
    }
}

/// Conditions on a calendar date.
#[derive(InputObject, Default)]
pub struct DateFilter {
    /// Equal to this value.
    pub eq: Option<NaiveDate>,
    /// Not equal to this value (also true where the field is empty).
    pub ne: Option<NaiveDate>,
    /// One of these values (1 to 100 values).
    #[graphql(name = "in")]
    pub in_: Option<Vec<NaiveDate>>,
    /// None of these values (also true where the field is empty; 1 to 100 values).
    pub not_in: Option<Vec<NaiveDate>>,
    /// `true`: the field is empty; `false`: it has a value.
    pub is_null: Option<bool>,
    /// Greater (for times: later) than this.
    pub gt: Option<NaiveDate>,
    /// Greater than or equal to this.
    pub gte: Option<NaiveDate>,
    /// Less (for times: earlier) than this.
    pub lt: Option<NaiveDate>,
    /// Less than or equal to this.
    pub lte: Option<NaiveDate>,
}

impl FieldOps for DateFilter {
    fn ops(self, build: &Build) -> AppResult<Vec<Op>> {
        let date = |_: &Build, date: NaiveDate| Ok(Scalar::Date(date));
        let mut ops = equality(
            build,
            self.eq,
            self.ne,
            self.in_,
            self.not_in,
            self.is_null,
            date,
        )?;
        ordering(
            build,
            &mut ops,
            [self.gt, self.gte, self.lt, self.lte],
            date,
        )?;
        Ok(ops)
    }
}

/// Conditions on a whole number (counts).
#[derive(InputObject, Default)]
pub struct IntFilter {
    /// Equal to this value.
    pub eq: Option<i32>,
    /// Not equal to this value (also true where the field is empty).
    pub ne: Option<i32>,
    /// One of these values (1 to 100 values).
    #[graphql(name = "in")]
    pub in_: Option<Vec<i32>>,
    /// None of these values (also true where the field is empty; 1 to 100 values).
    pub not_in: Option<Vec<i32>>,
    /// Greater (for times: later) than this.
    pub gt: Option<i32>,
    /// Greater than or equal to this.
    pub gte: Option<i32>,
    /// Less (for times: earlier) than this.
    pub lt: Option<i32>,
    /// Less than or equal to this.
    pub lte: Option<i32>,
}

impl FieldOps for IntFilter {
    fn ops(self, build: &Build) -> AppResult<Vec<Op>> {
        let int = |_: &Build, n: i32| Ok(Scalar::Int(i64::from(n)));
        let mut ops = equality(build, self.eq, self.ne, self.in_, self.not_in, None, int)?;
        ordering(build, &mut ops, [self.gt, self.gte, self.lt, self.lte], int)?;
        Ok(ops)
    }
}

/// Conditions on an amount of money in minor units (cents), as in `Money.minorUnits`: strings,
/// since amounts may exceed GraphQL's 32-bit `Int`. Compare within one `currency`.
#[derive(InputObject, Default)]
pub struct MinorUnitsFilter {
    /// Equal to this value.
    pub eq: Option<String>,
    /// Not equal to this value (also true where the field is empty).
    pub ne: Option<String>,
    /// `true`: the field is empty; `false`: it has a value.
    pub is_null: Option<bool>,
    /// Greater (for times: later) than this.
    pub gt: Option<String>,
    /// Greater than or equal to this.
    pub gte: Option<String>,
    /// Less (for times: earlier) than this.
    pub lt: Option<String>,
    /// Less than or equal to this.
    pub lte: Option<String>,
}

impl FieldOps for MinorUnitsFilter {
    fn ops(self, build: &Build) -> AppResult<Vec<Op>> {
        let units = |build: &Build, text: String| {
            text.trim().parse::<i64>().map(Scalar::Int).map_err(|_| {
                AppError::bad_input(format!(
                    "`{}`: `{text}` is not a whole number of minor units",
                    build.path
                ))
            })
        };
        let mut ops = equality(build, self.eq, self.ne, None, None, self.is_null, units)?;
        ordering(
            build,
            &mut ops,
            [self.gt, self.gte, self.lt, self.lte],
            units,
        )?;
        Ok(ops)
    }
}

/// Conditions on a yes/no field.
#[derive(InputObject, Default)]
pub struct BooleanFilter {
    /// Equal to this value.
    pub eq: Option<bool>,
    /// Not equal to this value (also true where the field is empty).
    pub ne: Option<bool>,
}

impl FieldOps for BooleanFilter {
    fn ops(self, build: &Build) -> AppResult<Vec<Op>> {
        equality(build, self.eq, self.ne, None, None, None, |_, b| {
            Ok(Scalar::Bool(b))
        })
    }
}

macro_rules! enum_filter {
    ($($(#[$doc:meta])* $name:ident => $enum:ident;)*) => {$(
        $(#[$doc])*
        #[derive(InputObject, Default)]
        pub struct $name {
            /// Equal to this value.
            pub eq: Option<$enum>,
            /// Not equal to this value (also true where the field is empty).
            pub ne: Option<$enum>,
            /// One of these values (1 to 100 values).
            #[graphql(name = "in")]
            pub in_: Option<Vec<$enum>>,
            /// None of these values (also true where the field is empty; 1 to 100 values).
            pub not_in: Option<Vec<$enum>>,
            /// `true`: the field is empty; `false`: it has a value.
            pub is_null: Option<bool>,
        }

        impl FieldOps for $name {
            fn ops(self, build: &Build) -> AppResult<Vec<Op>> {
                equality(build, self.eq, self.ne, self.in_, self.not_in, self.is_null, |_, value: $enum| {
                    Ok(Scalar::Text(stored_text(entity::enums::$enum::from(value))))
                })
            }
        }
    )*};
}

enum_filter! {
    /// Conditions on an incident's status.
    IncidentStatusFilter => IncidentStatus;
    /// Conditions on an incident's priority.
    IncidentPriorityFilter => IncidentPriority;
    /// Conditions on the channel an incident came in through.
    IncidentChannelFilter => IncidentChannel;
    /// Conditions on an opportunity's stage.
    OpportunityStageFilter => OpportunityStage;
    /// Conditions on an identity's channel.
    IdentityChannelFilter => IdentityChannel;
    /// Conditions on a contact's e-mail format.
    EmailFormatFilter => EmailFormat;
    /// Conditions on the kind of record an audit entry is about.
    AuditEntityTypeFilter => AuditEntityType;
    /// Conditions on what an audit entry records.
    AuditActionFilter => AuditAction;
}
