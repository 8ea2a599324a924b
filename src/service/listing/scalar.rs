//! Values in filters and cursors.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::Value;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One value compared in SQL: what a filter operand or a cursor's sort key holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "t", content = "v")]
pub enum Scalar {
    Null,
    Text(String),
    Int(i64),
    Bool(bool),
    Id(Uuid),
    Time(DateTime<Utc>),
    Date(NaiveDate),
}

impl Scalar {
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// The value to bind.
    pub fn to_value(&self) -> Value {
        match self {
            Scalar::Null => Value::String(None),
            Scalar::Text(text) => Value::from(text.clone()),
            Scalar::Int(n) => Value::from(*n),
            Scalar::Bool(b) => Value::from(*b),
            Scalar::Id(id) => Value::from(*id),
            Scalar::Time(at) => Value::from(*at),
            Scalar::Date(date) => Value::from(*date),
        }
    }
}
