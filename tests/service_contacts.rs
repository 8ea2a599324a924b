//! The contact rules at the service layer, without HTTP: the same functions the resolvers call.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use contacts_graph::auth::Principal;
use contacts_graph::config::MergeConfig;
use contacts_graph::service::contacts::{self, ContactPatch, NewContact};
use contacts_graph::service::identities::{self, NewIdentity};
use contacts_graph::service::merge::{self, MergeRequest};
use contacts_graph::service::patch::Patch;
use contacts_graph::service::resolve::{self, Outcome};
use contacts_graph::service::scope::ScopedDb;
use entity::enums::IdentityChannel;
use phonenumber::country::Id::US;

use common::world;

fn email(value: &str) -> NewIdentity {
    NewIdentity {
        channel: IdentityChannel::Email,
        value: value.to_owned(),
    }
}

both_backends!(create_update_and_delete_follow_the_rules, |app| {
    let db = ScopedDb::new(app.db.clone(), &Principal::system());
    let blank = NewContact {
        fields: ContactPatch {
            last_name: Some(" ".into()),
            ..ContactPatch::default()
        },
        identities: vec![],
    };
    assert_eq!(
        contacts::create(&db, US, blank).await.unwrap_err().code(),
        "BAD_USER_INPUT"
    );

    let new = NewContact {
        fields: ContactPatch {
            last_name: Some("Hopper".into()),
            timezone: Patch::Set("America/New_York".into()),
            ..ContactPatch::default()
        },
        identities: vec![email("grace@example.com")],
    };
    let grace = contacts::create(&db, US, new).await.unwrap();
    assert!(grace.email_opt_in);

    let patch = ContactPatch {
        job_title: Patch::Set("Admiral".into()),
        ..ContactPatch::default()
    };
    let updated = contacts::update(&db, grace.id, patch.clone(), Some(1))
        .await
        .unwrap();
    assert_eq!(
        (updated.version, updated.job_title.as_deref()),
        (2, Some("Admiral"))
    );
    let stale = contacts::update(&db, grace.id, patch, Some(1))
        .await
        .unwrap_err();
    assert_eq!(stale.code(), "CONFLICT");

    let taken = identities::add(&db, US, updated.id, email("GRACE@example.com"), None, None)
        .await
        .unwrap();
    assert_eq!(
        taken.0.version, 2,
        "adding an identity it already has changes nothing"
    );
    contacts::delete(&db, grace.id, None).await.unwrap();
    assert_eq!(
        contacts::update(&db, grace.id, ContactPatch::default(), None)
            .await
            .unwrap_err()
            .code(),
        "NOT_FOUND"
    );
});

both_backends!(identities_have_one_owner, |app| {
    let w = world::build(&app.db).await;
    let db = ScopedDb::new(app.db.clone(), &Principal::system());
    let err = identities::add(&db, US, w.bob.id, email(" Ada@Example.com "), None, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "CONFLICT");
    assert!(
        matches!(err, contacts_graph::error::AppError::IdentityTaken { owner, .. } if owner == w.ada.id)
    );
});

both_backends!(resolution_and_merge_at_the_service_layer, |app| {
    let w = world::build(&app.db).await;
    let db = ScopedDb::new(app.db.clone(), &Principal::system());
    let policy = MergeConfig::default();
    let matched = resolve::resolve(
        &db,
        US,
        &policy,
        vec![email("ada@example.com")],
        ContactPatch::default(),
    )
    .await
    .unwrap();
    assert_eq!(matched.outcome, Outcome::Matched);
    let created = resolve::resolve(
        &db,
        US,
        &policy,
        vec![email("new@example.com")],
        ContactPatch::default(),
    )
    .await
    .unwrap();
    assert_eq!(created.outcome, Outcome::Created);
    assert_eq!(created.contact.unwrap().last_name, "new@example.com");

    let itself = MergeRequest {
        survivor_id: w.ada.id,
        merged_id: w.ada.id,
        ..MergeRequest::default()
    };
    assert_eq!(
        merge::merge(&db, itself).await.unwrap_err().code(),
        "BAD_USER_INPUT"
    );
    let across = MergeRequest {
        survivor_id: w.ada.id,
        merged_id: w.dee.id,
        ..MergeRequest::default()
    };
    assert_eq!(
        merge::merge(&db, across).await.unwrap_err().code(),
        "CONFLICT"
    );
    let (plan, _) = merge::preview(&db, w.ada.id, w.bob.id).await.unwrap();
    let request = MergeRequest {
        survivor_id: w.ada.id,
        merged_id: w.bob.id,
        expected_plan_hash: Some(plan.hash()),
        ..MergeRequest::default()
    };
    let survivor = merge::merge(&db, request).await.unwrap();
    assert_eq!(survivor.id, w.ada.id);
    let again = MergeRequest {
        survivor_id: w.ada.id,
        merged_id: w.bob.id,
        ..MergeRequest::default()
    };
    let err = merge::merge(&db, again).await.unwrap_err();
    assert!(
        matches!(err, contacts_graph::error::AppError::MergedAway { survivor } if survivor == w.ada.id)
    );
});
