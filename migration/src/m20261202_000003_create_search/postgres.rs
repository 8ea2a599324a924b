//! Statements for PostgreSQL: statement-level triggers with transition tables, so a bulk INSERT
//! of thousands of identities (the seed generator, a merge moving them) rewrites each affected
//! document once per statement instead of once per row.

/// The document itself, at the cost of matching it. pg_trgm declares its similarity
/// operators at the default cost of one `cpu_operator_cost`, but comparing a word with a
/// document of ~150 characters takes ~25 µs, about a thousand times that (measured: a
/// sequential scan of 10,000 documents took 277 ms, the trigram index 4 ms). Planned at the
/// declared cost, a sequential scan looks cheaper than the index for tables of a few
/// thousand documents, and for much larger ones whenever the GIN pending list has grown.
/// The index is built over this function and searches compare words with it, so a
/// sequential scan is costed for what it does: PL/pgSQL is never inlined, so the declared
/// COST holds.
const SEARCH_DOCUMENT: &str = "CREATE FUNCTION search_document(document text) \
    RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$ \
    BEGIN RETURN document; END $$";

/// Rewrites the documents of the contacts in `ids` that exist; unchanged texts are not
/// written again (no dead tuple, no index churn).
///
/// The contacts are locked first, as the UPDATE that raises their version later in the
/// same transaction would lock them. Without it, two transactions adding an identity each
/// to one contact would each compute the document without the other's identity, and the
/// later commit would overwrite the earlier one's text. With it, the second waits for the
/// first, and since a VOLATILE SQL function takes a fresh snapshot per statement, the
/// INSERT that follows the lock reads the first's committed identity. Rows this transaction
/// inserted or updated (`xmin` is its own id) are skipped: others cannot see the new ones,
/// and it holds the lock on the updated ones already. Locking them anyway rewrote every
/// contact of a seeding run three times and nearly doubled seeding 100,000 contacts.
const REFRESH_CONTACTS: &str = "CREATE FUNCTION search_refresh_contacts(ids uuid[]) \
    RETURNS void LANGUAGE sql AS $$ \
    SELECT 1 FROM contact WHERE id = ANY (ids) AND xmin <> pg_current_xact_id()::xid \
        ORDER BY id FOR NO KEY UPDATE; \
    INSERT INTO contact_search (contact_id, document) \
    SELECT c.id, concat_ws(' ', c.first_name, c.last_name, c.alias, c.job_title, \
        (SELECT string_agg(i.value || ' ' || i.normalized_value, ' ' ORDER BY i.id) \
         FROM contact_identity i WHERE i.contact_id = c.id), \
        (SELECT string_agg(m.value, ' ' ORDER BY m.id) \
         FROM communication_method m WHERE m.contact_id = c.id)) \
    FROM contact c WHERE c.id = ANY (ids) \
    ON CONFLICT (contact_id) DO UPDATE SET document = excluded.document \
    WHERE contact_search.document IS DISTINCT FROM excluded.document $$";

/// As [`REFRESH_CONTACTS`], for accounts (two writers adding methods to one account).
const REFRESH_ACCOUNTS: &str = "CREATE FUNCTION search_refresh_accounts(ids uuid[]) \
    RETURNS void LANGUAGE sql AS $$ \
    SELECT 1 FROM account WHERE id = ANY (ids) AND xmin <> pg_current_xact_id()::xid \
        ORDER BY id FOR NO KEY UPDATE; \
    INSERT INTO account_search (account_id, document) \
    SELECT a.id, concat_ws(' ', a.name, a.city, a.phone, a.website, \
        (SELECT string_agg(m.value, ' ' ORDER BY m.id) \
         FROM communication_method m WHERE m.account_id = a.id)) \
    FROM account a WHERE a.id = ANY (ids) \
    ON CONFLICT (account_id) DO UPDATE SET document = excluded.document \
    WHERE account_search.document IS DISTINCT FROM excluded.document $$";

/// Trigger functions: which documents a statement on each table touches. Transition tables
/// are `new_rows` and `old_rows`; PL/pgSQL plans a query only when it runs, so a branch may
/// name a transition table its event does not have.
const CONTACT_CHANGED: &str = "CREATE FUNCTION search_contact_changed() \
    RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
    IF TG_OP = 'INSERT' THEN \
        PERFORM search_refresh_contacts(ARRAY(SELECT id FROM new_rows)); \
    ELSE \
        PERFORM search_refresh_contacts(ARRAY( \
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id \
            WHERE (n.first_name, n.last_name, n.alias, n.job_title) \
                IS DISTINCT FROM (o.first_name, o.last_name, o.alias, o.job_title))); \
    END IF; \
    RETURN NULL; END $$";

const IDENTITY_CHANGED: &str = "CREATE FUNCTION search_identity_changed() \
    RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
    IF TG_OP = 'INSERT' THEN \
        PERFORM search_refresh_contacts(ARRAY(SELECT contact_id FROM new_rows)); \
    ELSIF TG_OP = 'UPDATE' THEN \
        PERFORM search_refresh_contacts(ARRAY( \
            SELECT contact_id FROM old_rows UNION SELECT contact_id FROM new_rows)); \
    ELSE \
        PERFORM search_refresh_contacts(ARRAY(SELECT contact_id FROM old_rows)); \
    END IF; \
    RETURN NULL; END $$";

const METHOD_CHANGED: &str = "CREATE FUNCTION search_method_changed() \
    RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
    IF TG_OP = 'INSERT' THEN \
        PERFORM search_refresh_contacts(ARRAY(SELECT contact_id FROM new_rows)); \
        PERFORM search_refresh_accounts(ARRAY(SELECT account_id FROM new_rows)); \
    ELSIF TG_OP = 'UPDATE' THEN \
        PERFORM search_refresh_contacts(ARRAY( \
            SELECT contact_id FROM old_rows UNION SELECT contact_id FROM new_rows)); \
        PERFORM search_refresh_accounts(ARRAY( \
            SELECT account_id FROM old_rows UNION SELECT account_id FROM new_rows)); \
    ELSE \
        PERFORM search_refresh_contacts(ARRAY(SELECT contact_id FROM old_rows)); \
        PERFORM search_refresh_accounts(ARRAY(SELECT account_id FROM old_rows)); \
    END IF; \
    RETURN NULL; END $$";

const ACCOUNT_CHANGED: &str = "CREATE FUNCTION search_account_changed() \
    RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
    IF TG_OP = 'INSERT' THEN \
        PERFORM search_refresh_accounts(ARRAY(SELECT id FROM new_rows)); \
    ELSE \
        PERFORM search_refresh_accounts(ARRAY( \
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id \
            WHERE (n.name, n.city, n.phone, n.website) \
                IS DISTINCT FROM (o.name, o.city, o.phone, o.website))); \
    END IF; \
    RETURN NULL; END $$";

/// (trigger, table, event, function)
const TRIGGERS: &[(&str, &str, &str, &str)] = &[
    (
        "tg_search_contact_insert",
        "contact",
        "INSERT",
        "search_contact_changed",
    ),
    (
        "tg_search_contact_update",
        "contact",
        "UPDATE",
        "search_contact_changed",
    ),
    (
        "tg_search_identity_insert",
        "contact_identity",
        "INSERT",
        "search_identity_changed",
    ),
    (
        "tg_search_identity_update",
        "contact_identity",
        "UPDATE",
        "search_identity_changed",
    ),
    (
        "tg_search_identity_delete",
        "contact_identity",
        "DELETE",
        "search_identity_changed",
    ),
    (
        "tg_search_method_insert",
        "communication_method",
        "INSERT",
        "search_method_changed",
    ),
    (
        "tg_search_method_update",
        "communication_method",
        "UPDATE",
        "search_method_changed",
    ),
    (
        "tg_search_method_delete",
        "communication_method",
        "DELETE",
        "search_method_changed",
    ),
    (
        "tg_search_account_insert",
        "account",
        "INSERT",
        "search_account_changed",
    ),
    (
        "tg_search_account_update",
        "account",
        "UPDATE",
        "search_account_changed",
    ),
];

fn document_table(table: &str, owner: &str, owner_table: &str) -> Vec<String> {
    vec![
        format!(
            "CREATE TABLE {table} ( \
             {owner} uuid NOT NULL, \
             document text NOT NULL, \
             CONSTRAINT pk_{table} PRIMARY KEY ({owner}), \
             CONSTRAINT fk_{table}_{owner} FOREIGN KEY ({owner}) \
             REFERENCES {owner_table} (id) ON DELETE CASCADE)"
        ),
        // Serves `word <% search_document(document)` (word similarity: prefixes, parts of
        // words, typos); see SEARCH_DOCUMENT for the wrapper.
        format!(
            "CREATE INDEX ix_{table}_document_trgm ON {table} \
             USING gin (search_document(document) gin_trgm_ops)"
        ),
    ]
}

pub fn up() -> Vec<String> {
    let mut sql = vec![SEARCH_DOCUMENT.to_owned()];
    sql.extend(document_table("contact_search", "contact_id", "contact"));
    sql.extend(document_table("account_search", "account_id", "account"));
    sql.extend(
        [
            REFRESH_CONTACTS,
            REFRESH_ACCOUNTS,
            CONTACT_CHANGED,
            IDENTITY_CHANGED,
            METHOD_CHANGED,
            ACCOUNT_CHANGED,
        ]
        .map(str::to_owned),
    );
    for (name, table, event, function) in TRIGGERS {
        let transitions = match *event {
            "INSERT" => "NEW TABLE AS new_rows",
            "DELETE" => "OLD TABLE AS old_rows",
            _ => "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        };
        sql.push(format!(
            "CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transitions} \
             FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        ));
    }
    // Records written before this migration.
    sql.push("SELECT search_refresh_contacts(ARRAY(SELECT id FROM contact))".to_owned());
    sql.push("SELECT search_refresh_accounts(ARRAY(SELECT id FROM account))".to_owned());
    sql
}

pub fn down() -> Vec<String> {
    let mut sql: Vec<String> = TRIGGERS
        .iter()
        .map(|(name, table, _, _)| format!("DROP TRIGGER IF EXISTS {name} ON {table}"))
        .collect();
    for function in [
        "search_contact_changed()",
        "search_identity_changed()",
        "search_method_changed()",
        "search_account_changed()",
        "search_refresh_contacts(uuid[])",
        "search_refresh_accounts(uuid[])",
    ] {
        sql.push(format!("DROP FUNCTION IF EXISTS {function}"));
    }
    sql.push("DROP TABLE IF EXISTS contact_search, account_search".to_owned());
    sql.push("DROP FUNCTION IF EXISTS search_document(text)".to_owned());
    sql
}
