//! `orderBy` inputs: a list of fields with directions per record type; the id breaks ties.

use async_graphql::{Enum, InputObject};

use crate::error::{AppError, AppResult};
use crate::service::listing::schema::fields::{account, audit, contact, incident, opportunity};
use crate::service::listing::{OrderKey, SortDirection, SortField};

/// Most keys one `orderBy` may list.
const MAX_ORDER_KEYS: usize = 5;

/// Sort direction.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Smallest first; empty values last.
    #[default]
    Asc,
    /// Largest first; empty values first.
    Desc,
}

/// One `orderBy` entry.
pub trait OrderInput {
    fn key(&self) -> OrderKey;
}

/// The service's order keys; a field listed twice is refused.
pub(super) fn keys<O: OrderInput>(inputs: Vec<O>) -> AppResult<Vec<OrderKey>> {
    if inputs.len() > MAX_ORDER_KEYS {
        return Err(AppError::bad_input(format!(
            "`orderBy` accepts at most {MAX_ORDER_KEYS} fields"
        )));
    }
    let keys: Vec<OrderKey> = inputs.iter().map(OrderInput::key).collect();
    for (index, key) in keys.iter().enumerate() {
        if keys[..index]
            .iter()
            .any(|earlier| earlier.field == key.field)
        {
            return Err(AppError::bad_input(format!(
                "`orderBy[{index}]`: the field is listed twice"
            )));
        }
    }
    Ok(keys)
}

fn column(field: crate::service::listing::Field, nullable: bool) -> SortField {
    SortField::Column { field, nullable }
}

const STATUS_RANKS: &[&str] = &["NEW", "OPEN", "PENDING", "SOLVED", "CLOSED"];
const PRIORITY_RANKS: &[&str] = &["LOW", "NORMAL", "HIGH", "URGENT"];
const STAGE_RANKS: &[&str] = &[
    "PROSPECTING",
    "QUALIFICATION",
    "PROPOSAL",
    "NEGOTIATION",
    "WON",
    "LOST",
];

macro_rules! order_input {
    ($(
        $(#[$doc:meta])* $input:ident, $enum:ident {
            $($(#[$vdoc:meta])* $variant:ident => $field:expr,)*
        }
    )*) => {$(
        /// The fields this list can be sorted by.
        #[derive(Enum, Clone, Copy, PartialEq, Eq)]
        pub enum $enum {
            $($(#[$vdoc])* $variant,)*
        }

        $(#[$doc])*
        #[derive(InputObject)]
        pub struct $input {
            /// What to sort by.
            pub field: $enum,
            /// Ascending (the default) or descending.
            #[graphql(default)]
            pub direction: OrderDirection,
        }

        impl OrderInput for $input {
            fn key(&self) -> OrderKey {
                let field = match self.field {
                    $($enum::$variant => $field,)*
                };
                let direction = match self.direction {
                    OrderDirection::Asc => SortDirection::Asc,
                    OrderDirection::Desc => SortDirection::Desc,
                };
                OrderKey { field, direction }
            }
        }
    )*};
}

order_input! {
    /// One sort key of an account list.
    AccountOrder, AccountOrderField {
        /// Case-insensitive.
        Name => column(account::NAME, false),
        /// When the account was created.
        CreatedAt => column(account::CREATED_AT, false),
        /// When the account last changed.
        UpdatedAt => column(account::UPDATED_AT, false),
    }
    /// One sort key of a contact list.
    ContactOrder, ContactOrderField {
        /// Case-insensitive.
        LastName => column(contact::LAST_NAME, false),
        /// Case-insensitive; contacts without one come last (first when descending).
        FirstName => column(contact::FIRST_NAME, true),
        /// When the contact was created.
        CreatedAt => column(contact::CREATED_AT, false),
        /// When the contact last changed.
        UpdatedAt => column(contact::UPDATED_AT, false),
    }
    /// One sort key of an incident list.
    IncidentOrder, IncidentOrderField {
        /// When the case was opened.
        CreatedAt => column(incident::CREATED_AT, false),
        /// When the case last changed.
        UpdatedAt => column(incident::UPDATED_AT, false),
        /// Open cases last: open ones (no `closedAt`) come after closed ones when ascending.
        ClosedAt => column(incident::CLOSED_AT, true),
        /// In lifecycle order: NEW, OPEN, PENDING, SOLVED, CLOSED.
        Status => SortField::Rank { field: incident::STATUS, ranks: STATUS_RANKS },
        /// By urgency: LOW, NORMAL, HIGH, URGENT.
        Priority => SortField::Rank { field: incident::PRIORITY, ranks: PRIORITY_RANKS },
        /// Case-insensitive.
        Subject => column(incident::SUBJECT, false),
    }
    /// One sort key of an opportunity list.
    OpportunityOrder, OpportunityOrderField {
        /// Case-insensitive.
        Name => column(opportunity::NAME, false),
        /// When the opportunity was created.
        CreatedAt => column(opportunity::CREATED_AT, false),
        /// In sales order: PROSPECTING ... NEGOTIATION, WON, LOST.
        Stage => SortField::Rank { field: opportunity::STAGE, ranks: STAGE_RANKS },
        /// By minor units, whatever the currency; without an amount last.
        Amount => column(opportunity::AMOUNT, true),
        /// Without a date last.
        ExpectedCloseDate => column(opportunity::EXPECTED_CLOSE_DATE, true),
    }
    /// One sort key of an audit log.
    AuditEntryOrder, AuditEntryOrderField {
        /// When the change was made.
        At => column(audit::AT, false),
    }
}
