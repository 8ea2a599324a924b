//! Statements for SQLite: row triggers (SQLite has no statement triggers) write the documents,
//! and three triggers per document table keep its FTS5 index in step with it.

/// The text of contact `c`.
const CONTACT_DOCUMENT: &str = "coalesce(c.first_name, '') || ' ' || c.last_name \
    || ' ' || coalesce(c.alias, '') || ' ' || coalesce(c.job_title, '') \
    || ' ' || coalesce((SELECT group_concat(i.value || ' ' || i.normalized_value, ' ') \
                        FROM contact_identity i WHERE i.contact_id = c.id), '') \
    || ' ' || coalesce((SELECT group_concat(m.value, ' ') \
                        FROM communication_method m WHERE m.contact_id = c.id), '')";

/// The text of account `a`.
const ACCOUNT_DOCUMENT: &str = "a.name || ' ' || coalesce(a.city, '') \
    || ' ' || coalesce(a.phone, '') || ' ' || coalesce(a.website, '') \
    || ' ' || coalesce((SELECT group_concat(m.value, ' ') \
                        FROM communication_method m WHERE m.account_id = a.id), '')";

/// Rewrites the document of the contact whose id is `id` (an expression such as
/// `new.contact_id`); does nothing when that is NULL or no longer a contact, and writes
/// nothing when the text did not change (so the FTS index is not touched either).
fn refresh_contact(id: &str) -> String {
    format!(
        "INSERT INTO contact_search (contact_id, document) \
         SELECT c.id, {CONTACT_DOCUMENT} FROM contact c WHERE c.id = {id} \
         ON CONFLICT (contact_id) DO UPDATE SET document = excluded.document \
         WHERE contact_search.document IS NOT excluded.document;"
    )
}

fn refresh_account(id: &str) -> String {
    format!(
        "INSERT INTO account_search (account_id, document) \
         SELECT a.id, {ACCOUNT_DOCUMENT} FROM account a WHERE a.id = {id} \
         ON CONFLICT (account_id) DO UPDATE SET document = excluded.document \
         WHERE account_search.document IS NOT excluded.document;"
    )
}

fn trigger(name: &str, event: &str, body: &[String]) -> String {
    format!(
        "CREATE TRIGGER {name} AFTER {event} FOR EACH ROW BEGIN {} END",
        body.concat()
    )
}

/// A document table keyed by an integer `doc_id` (the FTS5 rowid, stable across VACUUM
/// because it is declared), its FTS5 index, and the triggers that keep the two in step.
fn document_table(table: &str, owner: &str, owner_table: &str) -> Vec<String> {
    let fts = format!("{table}_fts");
    let delete_old = format!(
        "INSERT INTO {fts} ({fts}, rowid, document) VALUES ('delete', old.doc_id, old.document);"
    );
    let insert_new =
        format!("INSERT INTO {fts} (rowid, document) VALUES (new.doc_id, new.document);");
    vec![
        format!(
            "CREATE TABLE {table} ( \
             doc_id INTEGER CONSTRAINT pk_{table} PRIMARY KEY, \
             {owner} uuid_text NOT NULL, \
             document TEXT NOT NULL, \
             CONSTRAINT fk_{table}_{owner} FOREIGN KEY ({owner}) \
             REFERENCES {owner_table} (id) ON DELETE CASCADE)"
        ),
        format!("CREATE UNIQUE INDEX uq_{table}_{owner} ON {table} ({owner})"),
        // unicode61 folds case and (with remove_diacritics 2) accents, so "muller" finds
        // "Müller"; the prefix indexes serve 2- and 3-letter prefix queries.
        format!(
            "CREATE VIRTUAL TABLE {fts} USING fts5(document, content='{table}', \
             content_rowid='doc_id', tokenize='unicode61 remove_diacritics 2', \
             prefix='2 3')"
        ),
        trigger(
            &format!("tg_{table}_fts_insert"),
            &format!("INSERT ON {table}"),
            std::slice::from_ref(&insert_new),
        ),
        trigger(
            &format!("tg_{table}_fts_delete"),
            &format!("DELETE ON {table}"),
            std::slice::from_ref(&delete_old),
        ),
        trigger(
            &format!("tg_{table}_fts_update"),
            &format!("UPDATE ON {table}"),
            &[delete_old, insert_new],
        ),
    ]
}

pub fn up() -> Vec<String> {
    let mut sql = document_table("contact_search", "contact_id", "contact");
    sql.extend(document_table("account_search", "account_id", "account"));
    sql.extend([
        trigger(
            "tg_search_contact_insert",
            "INSERT ON contact",
            &[refresh_contact("new.id")],
        ),
        trigger(
            "tg_search_contact_update",
            "UPDATE OF first_name, last_name, alias, job_title ON contact",
            &[refresh_contact("new.id")],
        ),
        trigger(
            "tg_search_identity_insert",
            "INSERT ON contact_identity",
            &[refresh_contact("new.contact_id")],
        ),
        // A merge moves identities: both the old and the new owner change.
        trigger(
            "tg_search_identity_update",
            "UPDATE OF contact_id, value, normalized_value ON contact_identity",
            &[
                refresh_contact("old.contact_id"),
                refresh_contact("new.contact_id"),
            ],
        ),
        trigger(
            "tg_search_identity_delete",
            "DELETE ON contact_identity",
            &[refresh_contact("old.contact_id")],
        ),
        // A method has one owner, a contact or an account; the other id is NULL and its
        // refresh finds no row.
        trigger(
            "tg_search_method_insert",
            "INSERT ON communication_method",
            &[
                refresh_contact("new.contact_id"),
                refresh_account("new.account_id"),
            ],
        ),
        trigger(
            "tg_search_method_update",
            "UPDATE OF contact_id, account_id, value ON communication_method",
            &[
                refresh_contact("old.contact_id"),
                refresh_contact("new.contact_id"),
                refresh_account("old.account_id"),
                refresh_account("new.account_id"),
            ],
        ),
        trigger(
            "tg_search_method_delete",
            "DELETE ON communication_method",
            &[
                refresh_contact("old.contact_id"),
                refresh_account("old.account_id"),
            ],
        ),
        trigger(
            "tg_search_account_insert",
            "INSERT ON account",
            &[refresh_account("new.id")],
        ),
        trigger(
            "tg_search_account_update",
            "UPDATE OF name, city, phone, website ON account",
            &[refresh_account("new.id")],
        ),
        // Records written before this migration.
        format!(
            "INSERT INTO contact_search (contact_id, document) \
             SELECT c.id, {CONTACT_DOCUMENT} FROM contact c"
        ),
        format!(
            "INSERT INTO account_search (account_id, document) \
             SELECT a.id, {ACCOUNT_DOCUMENT} FROM account a"
        ),
    ]);
    sql
}

pub fn down() -> Vec<String> {
    let mut sql: Vec<String> = [
        "tg_search_contact_insert",
        "tg_search_contact_update",
        "tg_search_identity_insert",
        "tg_search_identity_update",
        "tg_search_identity_delete",
        "tg_search_method_insert",
        "tg_search_method_update",
        "tg_search_method_delete",
        "tg_search_account_insert",
        "tg_search_account_update",
    ]
    .iter()
    .map(|name| format!("DROP TRIGGER IF EXISTS {name}"))
    .collect();
    for table in ["contact_search", "account_search"] {
        for event in ["insert", "delete", "update"] {
            sql.push(format!("DROP TRIGGER IF EXISTS tg_{table}_fts_{event}"));
        }
        sql.push(format!("DROP TABLE IF EXISTS {table}_fts"));
        sql.push(format!("DROP TABLE IF EXISTS {table}"));
    }
    sql
}
