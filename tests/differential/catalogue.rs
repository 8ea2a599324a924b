//! Argument values: a literal that prints both as GraphQL and as JSON (so any argument can be
//! written inline or passed as a variable), and the catalogue of valid filters and orders per
//! listed type.

use std::collections::HashMap;

use serde_json::Value;

use super::data::Data;
use super::schema::Ty;

/// An input value.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Enum(&'static str),
    List(Vec<Lit>),
    Obj(Vec<(&'static str, Lit)>),
}

impl Lit {
    /// The value as GraphQL source text.
    pub fn graphql(&self) -> String {
        match self {
            Lit::Null => "null".to_owned(),
            Lit::Bool(value) => value.to_string(),
            Lit::Int(value) => value.to_string(),
            Lit::Str(value) => Value::String(value.clone()).to_string(),
            Lit::Enum(name) => (*name).to_owned(),
            Lit::List(items) => {
                let items: Vec<String> = items.iter().map(Lit::graphql).collect();
                format!("[{}]", items.join(", "))
            }
            Lit::Obj(fields) => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|(name, value)| format!("{name}: {}", value.graphql()))
                    .collect();
                format!("{{{}}}", fields.join(", "))
            }
        }
    }

    /// The value as a JSON variable.
    pub fn json(&self) -> Value {
        match self {
            Lit::Null => Value::Null,
            Lit::Bool(value) => Value::Bool(*value),
            Lit::Int(value) => Value::from(*value),
            Lit::Str(value) => Value::String(value.clone()),
            Lit::Enum(name) => Value::String((*name).to_owned()),
            Lit::List(items) => Value::Array(items.iter().map(Lit::json).collect()),
            Lit::Obj(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(name, value)| ((*name).to_owned(), value.json()))
                    .collect(),
            ),
        }
    }
}

fn s(text: &str) -> Lit {
    Lit::Str(text.to_owned())
}

fn obj<const N: usize>(fields: [(&'static str, Lit); N]) -> Lit {
    Lit::Obj(fields.into())
}

/// `{ field: { op: value } }`
fn on(field: &'static str, op: &'static str, value: Lit) -> Lit {
    obj([(field, obj([(op, value)]))])
}

fn order(keys: &[(&'static str, Option<&'static str>)]) -> Lit {
    Lit::List(
        keys.iter()
            .map(|(field, direction)| {
                let mut fields = vec![("field", Lit::Enum(field))];
                if let Some(direction) = direction {
                    fields.push(("direction", Lit::Enum(direction)));
                }
                Lit::Obj(fields)
            })
            .collect(),
    )
}

/// Valid `filter` and `orderBy` values per listed type. Entry 0 of each is `None`: the argument
/// is left out. A list is identified by `(type, filter index, order index)`: its cursors only
/// work with the same filter and order.
pub struct Catalogue {
    pub filters: HashMap<Ty, Vec<Option<Lit>>>,
    pub orders: HashMap<Ty, Vec<Option<Lit>>>,
}

impl Catalogue {
    pub fn new(data: &Data) -> Self {
        let id = |text: &str| s(text);
        let mut filters = HashMap::new();
        let mut orders = HashMap::new();
        filters.insert(
            Ty::Account,
            vec![
                None,
                Some(obj([])),
                Some(Lit::Null),
                Some(on("isCustomer", "eq", Lit::Bool(true))),
                Some(on("isPartner", "eq", Lit::Bool(true))),
                Some(on("name", "startsWith", s("T"))),
                Some(obj([("partner", on("name", "eq", s("Northwind")))])),
                Some(obj([(
                    "contacts",
                    obj([("some", on("lastName", "contains", s("a")))]),
                )])),
                Some(obj([(
                    "or",
                    Lit::List(vec![
                        on("city", "isNull", Lit::Bool(true)),
                        on("country", "eq", s("FR")),
                    ]),
                )])),
                Some(on(
                    "id",
                    "in",
                    Lit::List(vec![id(&data.acme), id(&data.globex), id(&data.northwind)]),
                )),
                Some(obj([("not", on("partnerId", "isNull", Lit::Bool(true)))])),
                Some(obj([("incidents", on("count", "gte", Lit::Int(2)))])),
                Some(on("partnerId", "eq", id(&data.northwind))),
            ],
        );
        orders.insert(
            Ty::Account,
            vec![
                None,
                Some(order(&[("NAME", None)])),
                Some(Lit::Null),
                Some(order(&[("CREATED_AT", Some("DESC"))])),
                Some(order(&[
                    ("UPDATED_AT", Some("ASC")),
                    ("NAME", Some("DESC")),
                ])),
            ],
        );
        let merged = data.merged.first().cloned().unwrap_or_default();
        filters.insert(
            Ty::Contact,
            vec![
                None,
                Some(on("accountId", "isNull", Lit::Bool(true))),
                Some(on(
                    "lastName",
                    "in",
                    Lit::List(vec![s("Lovelace"), s("Turing"), s("Stark"), s("Loner")]),
                )),
                Some(obj([("account", on("name", "eq", s("Acme")))])),
                Some(obj([(
                    "identities",
                    obj([("some", on("channel", "eq", Lit::Enum("EMAIL")))]),
                )])),
                Some(on(
                    "id",
                    "in",
                    Lit::List(vec![id(&merged), id(&data.contacts[0])]),
                )),
                Some(on("emailFormat", "eq", Lit::Enum("HTML"))),
                Some(obj([(
                    "and",
                    Lit::List(vec![
                        on("emailOptIn", "eq", Lit::Bool(true)),
                        on("firstName", "isNull", Lit::Bool(false)),
                    ]),
                )])),
                Some(obj([(
                    "incidents",
                    obj([("none", on("status", "eq", Lit::Enum("CLOSED")))]),
                )])),
                Some(on("createdAt", "lt", s("2025-01-01T00:00:00Z"))),
                Some(on("accountId", "eq", id(&data.acme))),
            ],
        );
        orders.insert(
            Ty::Contact,
            vec![
                None,
                Some(order(&[("LAST_NAME", None)])),
                Some(Lit::List(Vec::new())),
                Some(order(&[("FIRST_NAME", Some("DESC")), ("LAST_NAME", None)])),
                Some(order(&[("CREATED_AT", Some("DESC"))])),
                Some(order(&[("UPDATED_AT", None)])),
            ],
        );
        filters.insert(
            Ty::Incident,
            vec![
                None,
                Some(on(
                    "status",
                    "in",
                    Lit::List(vec![Lit::Enum("OPEN"), Lit::Enum("PENDING")]),
                )),
                Some(on("priority", "eq", Lit::Enum("URGENT"))),
                Some(on("closedAt", "isNull", Lit::Bool(false))),
                Some(on("channel", "ne", Lit::Enum("EMAIL"))),
                Some(obj([(
                    "reportedByPartner",
                    on("name", "eq", s("Northwind")),
                )])),
                Some(obj([(
                    "primaryContact",
                    on("lastName", "startsWith", s("L")),
                )])),
                Some(on("subject", "contains", s("in"))),
                Some(on("accountId", "isNull", Lit::Bool(true))),
                Some(on("accountId", "eq", id(&data.acme))),
            ],
        );
        orders.insert(
            Ty::Incident,
            vec![
                None,
                Some(order(&[("PRIORITY", Some("DESC"))])),
                Some(order(&[("STATUS", None), ("CREATED_AT", Some("DESC"))])),
                Some(order(&[("CLOSED_AT", None)])),
                Some(order(&[("SUBJECT", None)])),
            ],
        );
        filters.insert(
            Ty::Opportunity,
            vec![
                None,
                Some(on("amountMinorUnits", "gt", s("1000"))),
                Some(on("currency", "eq", s("EUR"))),
                Some(on("expectedCloseDate", "lt", s("2026-05-01"))),
                Some(on(
                    "stage",
                    "in",
                    Lit::List(vec![Lit::Enum("WON"), Lit::Enum("LOST")]),
                )),
                Some(obj([("account", on("isPartner", "eq", Lit::Bool(false)))])),
                Some(obj([(
                    "primaryContact",
                    on("firstName", "isNull", Lit::Bool(false)),
                )])),
                Some(on("amountMinorUnits", "isNull", Lit::Bool(true))),
            ],
        );
        orders.insert(
            Ty::Opportunity,
            vec![
                None,
                Some(order(&[("AMOUNT", Some("DESC"))])),
                Some(order(&[("STAGE", None), ("NAME", None)])),
                Some(order(&[("EXPECTED_CLOSE_DATE", None)])),
                Some(order(&[("CREATED_AT", Some("DESC"))])),
            ],
        );
        Self { filters, orders }
    }

    /// Every list a cursor can belong to.
    pub fn lists(&self) -> Vec<ListKey> {
        let mut keys = Vec::new();
        for ty in Ty::LISTED {
            for filter in 0..self.filters[&ty].len() {
                for order in 0..self.orders[&ty].len() {
                    keys.push(ListKey { ty, filter, order });
                }
            }
        }
        keys
    }
}

/// One list's identity for cursors: its type, filter and order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListKey {
    pub ty: Ty,
    pub filter: usize,
    pub order: usize,
}
