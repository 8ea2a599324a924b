//! Opaque global ids: `base64url("<Type>:<uuid>")`. Clients treat them as opaque strings; the
//! type prefix lets `node(id:)` find the record and lets every field refuse an id of the wrong
//! type instead of silently finding nothing.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use crate::error::AppError;

/// The record types that have global ids; the names are the GraphQL type names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeType {
    Account,
    Contact,
    ContactIdentity,
    CommunicationMethod,
    Incident,
    Opportunity,
    AuditEntry,
    IdentityConflict,
    ApiKey,
}

impl NodeType {
    const ALL: [NodeType; 9] = [
        NodeType::Account,
        NodeType::Contact,
        NodeType::ContactIdentity,
        NodeType::CommunicationMethod,
        NodeType::Incident,
        NodeType::Opportunity,
        NodeType::AuditEntry,
        NodeType::IdentityConflict,
        NodeType::ApiKey,
    ];

    pub fn name(self) -> &'static str {
        match self {
            NodeType::Account => "Account",
            NodeType::Contact => "Contact",
            NodeType::ContactIdentity => "ContactIdentity",
            NodeType::CommunicationMethod => "CommunicationMethod",
            NodeType::Incident => "Incident",
            NodeType::Opportunity => "Opportunity",
            NodeType::AuditEntry => "AuditEntry",
            NodeType::IdentityConflict => "IdentityConflict",
            NodeType::ApiKey => "ApiKey",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// Room for `<Type>:<uuid>` of the longest type name.
const MAX_ID_TEXT: usize = 64;

/// A decoded global id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlobalId {
    pub node_type: NodeType,
    pub id: Uuid,
}

impl GlobalId {
    pub fn new(node_type: NodeType, id: Uuid) -> Self {
        Self { node_type, id }
    }

    pub fn to_id(self) -> ID {
        // Built by hand rather than with `format!`: a nested answer encodes thousands of ids.
        let name = self.node_type.name();
        let mut text = String::with_capacity(name.len() + 1 + uuid::fmt::Hyphenated::LENGTH);
        text.push_str(name);
        text.push(':');
        text.push_str(
            self.id
                .hyphenated()
                .encode_lower(&mut Uuid::encode_buffer()),
        );
        ID(URL_SAFE_NO_PAD.encode(text))
    }

    /// Appends the id as a JSON string, as [`GlobalId::to_id`] gives it: the compiled read path
    /// writes thousands per answer. Built on the stack, and not escaped: the URL-safe base64
    /// alphabet has nothing JSON escapes.
    pub fn write_json(self, out: &mut Vec<u8>) {
        let name = self.node_type.name().as_bytes();
        let mut text = [0_u8; MAX_ID_TEXT];
        let length = name.len() + 1 + uuid::fmt::Hyphenated::LENGTH;
        let start = out.len() + 1;
        let encoded = base64::encoded_len(length, false).unwrap_or(0);
        out.push(b'"');
        out.resize(start + encoded, 0);
        let written = text.get_mut(..length).and_then(|text| {
            text[..name.len()].copy_from_slice(name);
            text[name.len()] = b':';
            self.id
                .hyphenated()
                .encode_lower(&mut text[name.len() + 1..]);
            URL_SAFE_NO_PAD.encode_slice(&*text, &mut out[start..]).ok()
        });
        if written != Some(encoded) {
            // Longer than any type name: never, but written the slow way rather than wrong.
            out.truncate(start - 1);
            let _ = serde_json::to_writer(&mut *out, self.to_id().as_str());
            return;
        }
        out.push(b'"');
    }

    /// Decodes any global id; malformed input is a `BAD_USER_INPUT`.
    pub fn parse(id: &str) -> Result<Self, AppError> {
        let malformed = || AppError::bad_input(format!("`{id}` is not a valid id"));
        let bytes = URL_SAFE_NO_PAD.decode(id).map_err(|_| malformed())?;
        let text = std::str::from_utf8(&bytes).map_err(|_| malformed())?;
        let (name, uuid) = text.split_once(':').ok_or_else(malformed)?;
        let node_type = NodeType::from_name(name).ok_or_else(malformed)?;
        let id = Uuid::parse_str(uuid).map_err(|_| malformed())?;
        Ok(Self { node_type, id })
    }

    /// Decodes an id that must name a record of `expected` type.
    pub fn parse_as(id: &str, expected: NodeType) -> Result<Uuid, AppError> {
        let global = Self::parse(id)?;
        if global.node_type != expected {
            return Err(AppError::bad_input(format!(
                "id `{id}` names a {}, expected a {}",
                global.node_type.name(),
                expected.name()
            )));
        }
        Ok(global.id)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ids_written_as_json_are_the_ids_serialized() {
        let uuid = Uuid::now_v7();
        for node_type in NodeType::ALL {
            let id = GlobalId::new(node_type, uuid);
            let mut out = b"[".to_vec();
            id.write_json(&mut out);
            out.push(b']');
            let expected = serde_json::to_vec(&[id.to_id().as_str()]).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
    }

    #[test]
    fn ids_round_trip_with_their_type() {
        let uuid = Uuid::now_v7();
        let id = GlobalId::new(NodeType::Incident, uuid).to_id();
        assert_eq!(
            GlobalId::parse(&id).unwrap(),
            GlobalId::new(NodeType::Incident, uuid)
        );
        assert_eq!(GlobalId::parse_as(&id, NodeType::Incident).unwrap(), uuid);
    }

    #[test]
    fn an_id_of_another_type_is_refused() {
        let id = GlobalId::new(NodeType::Contact, Uuid::now_v7()).to_id();
        let err = GlobalId::parse_as(&id, NodeType::Account).unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
    }

    #[test]
    fn malformed_ids_are_refused() {
        let not_a_uuid = URL_SAFE_NO_PAD.encode("Contact:42");
        let unknown_type = URL_SAFE_NO_PAD.encode(format!("Ticket:{}", Uuid::nil()));
        for bad in [
            "",
            "%%%",
            "Q29udGFjdA",
            not_a_uuid.as_str(),
            unknown_type.as_str(),
        ] {
            assert!(GlobalId::parse(bad).is_err(), "{bad}");
        }
    }
}
