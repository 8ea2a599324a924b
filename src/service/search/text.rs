//! What a search query means: its words (matched against the documents, never spliced into SQL
//! or into FTS5 syntax), the identities it could be (matched exactly), and the fingerprint that
//! binds a cursor to it.

use entity::enums::IdentityChannel;
use phonenumber::country;
use sea_orm::Iterable;
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};
use crate::service::identity;

/// Longest query accepted, in bytes of UTF-8 (1 KiB).
pub const MAX_QUERY_BYTES: usize = 1024;

/// Most words a query may have. Each word is one FTS5 phrase or one trigram condition, so this
/// bounds the work a single search can ask of the database.
pub const MAX_QUERY_WORDS: usize = 16;

/// A validated search query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText {
    /// The query with surrounding whitespace removed and inner runs collapsed to one space.
    normalized: String,
    /// The words that can match indexed text: those with at least one letter or digit (both
    /// backends' tokenizers drop everything else).
    words: Vec<String>,
    /// Each channel's normalized form of the whole query, for channels where it is a valid
    /// identity value: an identity stored with that value is an exact match.
    identities: Vec<(IdentityChannel, String)>,
    /// The query as a phone number in E.164, when it is one. Phone numbers of accounts and
    /// communication methods are stored in E.164, one word to both indexes, so a number typed
    /// in another form (`(520) 555-0100`) matches through this form instead of its words.
    phone: Option<String>,
}

impl SearchText {
    /// Checks a query (`BAD_USER_INPUT` naming `query` when it is blank, longer than
    /// [`MAX_QUERY_BYTES`] or has more than [`MAX_QUERY_WORDS`] words) and reads it the way
    /// identities are stored: phone numbers in national form in `region`.
    pub fn parse(query: &str, region: country::Id) -> AppResult<Self> {
        if query.len() > MAX_QUERY_BYTES {
            return Err(AppError::bad_input(format!(
                "`query` must be at most {MAX_QUERY_BYTES} bytes (got {})",
                query.len()
            )));
        }
        let all_words: Vec<&str> = query.split_whitespace().collect();
        if all_words.is_empty() {
            return Err(AppError::bad_input("`query` must not be blank"));
        }
        if all_words.len() > MAX_QUERY_WORDS {
            return Err(AppError::bad_input(format!(
                "`query` must have at most {MAX_QUERY_WORDS} words (got {})",
                all_words.len()
            )));
        }
        let words = all_words
            .iter()
            .filter(|word| word.chars().any(char::is_alphanumeric))
            .map(|word| (*word).to_owned())
            .collect();
        // A value that is no valid identity of a channel (not an e-mail address, not a phone
        // number, too long) simply cannot match one exactly.
        let identities: Vec<(IdentityChannel, String)> = IdentityChannel::iter()
            .filter_map(|channel| {
                identity::normalize(channel, query, region)
                    .ok()
                    .map(|value| (channel, value))
            })
            .collect();
        let phone = identities
            .iter()
            .find(|(channel, _)| *channel == IdentityChannel::Sms)
            .map(|(_, value)| value.clone());
        Ok(Self {
            normalized: all_words.join(" "),
            words,
            identities,
            phone,
        })
    }

    pub fn words(&self) -> &[String] {
        &self.words
    }

    pub fn identities(&self) -> &[(IdentityChannel, String)] {
        &self.identities
    }

    /// The query in E.164, if it is a phone number.
    pub fn phone(&self) -> Option<&str> {
        self.phone.as_deref()
    }

    /// The query as typed, trimmed and with single spaces.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// An FTS5 query that every word must match, as a whole word or as a prefix:
    /// `Ada O"Brien` becomes `("Ada" OR "Ada"*) AND ("O""Brien" OR "O""Brien"*)`; a phone
    /// number may match in E.164 instead: `(("520"..) AND ..) OR "+15205550100"`. Inside
    /// double quotes FTS5 operators (`AND`, `NEAR`, `*`, `:`, parentheses) are plain text and a
    /// double quote is escaped by doubling it, so no user text is FTS5 syntax. The tokenizer
    /// splits a phrase the way it split the document (`ada@example.com` is the phrase
    /// `ada example com`), and the star makes its last token a prefix. The whole-word phrase
    /// is redundant for matching but adds to bm25, so "Lovelace" ranks a Lovelace above a
    /// Lovelaces.
    pub fn fts5_query(&self) -> String {
        let phrase = |word: &str| format!("\"{}\"", word.replace('"', "\"\""));
        let words = self
            .words
            .iter()
            .map(|word| {
                let phrase = phrase(word);
                format!("({phrase} OR {phrase}*)")
            })
            .collect::<Vec<_>>()
            .join(" AND ");
        match &self.phone {
            Some(phone) => format!("({words}) OR {}", phrase(phone)),
            None => words,
        }
    }

    /// The words a trigram index can look up: those with two or more letters or digits. A
    /// single character has no trigram of its own, and looking it up would read the whole index.
    pub fn trigram_words(&self) -> impl Iterator<Item = &str> {
        self.words
            .iter()
            .filter(|word| word.chars().filter(|c| c.is_alphanumeric()).count() >= 2)
            .map(String::as_str)
    }

    /// 16 hex digits of SHA-256 over `kind` and the normalized query: a cursor carries it, so a
    /// cursor of one search is refused by another (its offset would mean nothing there).
    pub fn fingerprint(&self, kind: &str) -> String {
        let digest = Sha256::digest(format!("{kind}\n{}", self.normalized));
        digest[..8]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const US: country::Id = country::Id::US;

    fn parse(query: &str) -> SearchText {
        SearchText::parse(query, US).unwrap()
    }

    #[test]
    fn blank_long_and_wordy_queries_are_refused_naming_the_argument() {
        let long = "a".repeat(MAX_QUERY_BYTES + 1);
        let wordy = vec!["w"; MAX_QUERY_WORDS + 1].join(" ");
        for query in ["", "   \t\n", long.as_str(), wordy.as_str()] {
            let err = SearchText::parse(query, US).unwrap_err();
            assert_eq!(err.code(), "BAD_USER_INPUT");
            assert!(err.to_string().contains("`query`"), "{err}");
        }
        assert!(SearchText::parse(&"a".repeat(MAX_QUERY_BYTES), US).is_ok());
    }

    #[test]
    fn every_word_is_a_quoted_phrase_and_its_prefix() {
        let text = parse(r#"  Ada  O"Brien NEAR(x col:z * - "#);
        assert_eq!(
            text.fts5_query(),
            r#"("Ada" OR "Ada"*) AND ("O""Brien" OR "O""Brien"*) AND ("NEAR(x" OR "NEAR(x"*) AND ("col:z" OR "col:z"*)"#
        );
        assert_eq!(text.normalized(), r#"Ada O"Brien NEAR(x col:z * -"#);
    }

    #[test]
    fn a_phone_number_may_also_match_in_e164() {
        let text = parse("(520) 555-0100");
        assert_eq!(text.phone(), Some("+15205550100"));
        assert_eq!(
            text.fts5_query(),
            r#"(("(520)" OR "(520)"*) AND ("555-0100" OR "555-0100"*)) OR "+15205550100""#
        );
        assert_eq!(parse("Ada").phone(), None);
    }

    #[test]
    fn words_without_letters_or_digits_match_nothing() {
        let text = parse("+ -- Ada");
        assert_eq!(text.words(), ["Ada"]);
        assert!(parse("+++").words().is_empty());
    }

    #[test]
    fn single_characters_are_not_looked_up_in_a_trigram_index() {
        let text = parse("J. Smith +1 ab");
        assert_eq!(text.trigram_words().collect::<Vec<_>>(), ["Smith", "ab"]);
    }

    #[test]
    fn the_query_is_read_as_each_channels_identity() {
        let text = parse(" (201) 555-0123 ");
        assert!(
            text.identities()
                .contains(&(IdentityChannel::Sms, "+12015550123".to_owned()))
        );
        assert!(
            text.identities()
                .contains(&(IdentityChannel::Whatsapp, "+12015550123".to_owned()))
        );
        assert!(
            !text
                .identities()
                .iter()
                .any(|(channel, _)| *channel == IdentityChannel::Email)
        );
        let text = parse("Ada@Example.COM");
        assert!(
            text.identities()
                .contains(&(IdentityChannel::Email, "ada@example.com".to_owned()))
        );
    }

    #[test]
    fn fingerprints_differ_by_query_and_kind_but_not_by_spacing() {
        let ada = parse("Ada Lovelace");
        assert_eq!(
            ada.fingerprint("contact"),
            parse("  Ada   Lovelace ").fingerprint("contact")
        );
        assert_ne!(
            ada.fingerprint("contact"),
            parse("Ada").fingerprint("contact")
        );
        assert_ne!(ada.fingerprint("contact"), ada.fingerprint("account"));
        assert_eq!(ada.fingerprint("contact").len(), 16);
    }
}
