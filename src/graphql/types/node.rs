use async_graphql::{ID, Interface};

use crate::auth::Action;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::pagination::GraphRecord;
use crate::graphql::types::{
    Account, ApiKey, AuditEntry, CommunicationMethod, Contact, ContactIdentity, IdentityConflict,
    Incident, Opportunity,
};
use crate::loaders::ById;

/// Any record with a global id; `node(id:)` fetches one without knowing its type.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "Opaque global id; stable for the life of the record."
))]
pub enum Node {
    Account(Account),
    Contact(Contact),
    ContactIdentity(ContactIdentity),
    CommunicationMethod(CommunicationMethod),
    Incident(Incident),
    Opportunity(Opportunity),
    AuditEntry(AuditEntry),
    IdentityConflict(IdentityConflict),
    ApiKey(ApiKey),
}

impl Node {
    /// Loads the record a global id names, through the same batched loaders as relations.
    pub async fn load(
        ctx: &async_graphql::Context<'_>,
        id: GlobalId,
    ) -> Result<Option<Node>, AppError> {
        async fn load_as<N: GraphRecord>(
            ctx: &async_graphql::Context<'_>,
            id: uuid::Uuid,
            wrap: fn(N) -> Node,
        ) -> Result<Option<Node>, AppError> {
            let loaders = context::loaders(ctx)?;
            let model = loaders.load(ById::<N::Entity>::new(id)).await?;
            Ok(model.map(|model| wrap(N::from_model(model))))
        }

        // Keys exist only for the roles that manage them, like rows outside a partner's scope.
        if id.node_type == NodeType::ApiKey && !context::principal(ctx)?.may(Action::ManageApiKeys)
        {
            return Ok(None);
        }
        macro_rules! dispatch {
            ($($variant:ident),*) => {
                match id.node_type {
                    $(NodeType::$variant => load_as::<$variant>(ctx, id.id, Node::$variant).await,)*
                }
            };
        }
        dispatch!(
            Account,
            Contact,
            ContactIdentity,
            CommunicationMethod,
            Incident,
            Opportunity,
            AuditEntry,
            IdentityConflict,
            ApiKey
        )
    }
}
