//! Parsed documents remembered by their text. A client sends the same few documents over and
//! over (the text is a constant of its code, only the variables change), so each is parsed once
//! per process instead of once per request, and its validation is remembered with it for the
//! requests whose variables cannot change the outcome (`http::validated`).
//!
//! Parse errors are not remembered (they cost one parse each, as before). Documents are bounded
//! by count and by the bytes of their text together: a parsed document is several times larger
//! than its text (up to about a hundred times for a text of one-letter fields), so a stream of
//! large distinct documents must not pile up. A document whose text alone is over that budget
//! is parsed every time.

use std::sync::{Arc, Mutex};

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::parser::{self, parse_query};
use lru::LruCache;

use crate::http::validated;

/// Text bytes the cache may hold per entry it may hold, on average.
const TEXT_BYTES_PER_ENTRY: usize = 1024;

/// The process's parsed documents (see the module documentation).
pub struct DocumentCache {
    /// `None` when turned off (`reads.document_cache_entries = 0`).
    inner: Option<Mutex<Documents>>,
}

struct Documents {
    parsed: LruCache<Arc<str>, Arc<Remembered>>,
    max_entries: usize,
    max_text_bytes: usize,
    text_bytes: usize,
}

/// What is kept of one text: its document, and its validation once a request has passed it.
struct Remembered {
    document: Arc<ExecutableDocument>,
    validation: Arc<validated::Slot>,
}

/// A parsed document, with where its validation is remembered (`None` when it is not kept).
/// The document is shared with the cache: the compiled read path only reads it, and only a
/// request that async-graphql executes takes a copy of its own.
pub struct Parsed {
    pub document: Arc<ExecutableDocument>,
    pub validation: Option<Arc<validated::Slot>>,
}

impl DocumentCache {
    /// A cache of at most `entries` documents with at most `entries` KiB of text between them;
    /// 0 turns it off.
    pub fn new(entries: usize) -> Self {
        let inner = (entries > 0).then(|| {
            Mutex::new(Documents {
                parsed: LruCache::unbounded(),
                max_entries: entries,
                max_text_bytes: entries.saturating_mul(TEXT_BYTES_PER_ENTRY),
                text_bytes: 0,
            })
        });
        Self { inner }
    }

    /// The parsed document of `text`: the remembered one, or parsed now (and remembered if it
    /// parses).
    pub fn parse(&self, text: &Arc<str>) -> Result<Parsed, parser::Error> {
        let Some(inner) = &self.inner else {
            return Ok(Parsed {
                document: Arc::new(parse_query(&**text)?),
                validation: None,
            });
        };
        // A poisoned lock (a panic while it was held) only costs the cache, never the request.
        let found = inner
            .lock()
            .ok()
            .and_then(|mut documents| documents.parsed.get(&**text).cloned());
        if let Some(remembered) = found {
            return Ok(Parsed {
                document: Arc::clone(&remembered.document),
                validation: Some(Arc::clone(&remembered.validation)),
            });
        }
        let document = Arc::new(parse_query(&**text)?);
        let remembered = Arc::new(Remembered {
            document: Arc::clone(&document),
            validation: Arc::default(),
        });
        let validation = Some(Arc::clone(&remembered.validation));
        if let Ok(mut documents) = inner.lock() {
            documents.insert(Arc::clone(text), remembered);
        }
        Ok(Parsed {
            document,
            validation,
        })
    }

    /// How many documents are remembered.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner
            .as_ref()
            .and_then(|inner| inner.lock().ok().map(|documents| documents.parsed.len()))
            .unwrap_or(0)
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Documents {
    fn insert(&mut self, text: Arc<str>, document: Arc<Remembered>) {
        if text.len() > self.max_text_bytes {
            return;
        }
        let bytes = text.len();
        // Another request may have parsed the same text meanwhile: one key, counted once.
        if self.parsed.put(text, document).is_none() {
            self.text_bytes += bytes;
        }
        while self.parsed.len() > self.max_entries || self.text_bytes > self.max_text_bytes {
            match self.parsed.pop_lru() {
                Some((evicted, _)) => self.text_bytes -= evicted.len(),
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(query: &str) -> Arc<str> {
        Arc::from(query)
    }

    #[test]
    fn a_document_is_parsed_once_and_answered_as_parsed() {
        let cache = DocumentCache::new(10);
        let query = text("{ contact(id: \"x\") { firstName } }");
        let first = cache.parse(&query).map_err(|err| err.to_string());
        let second = cache.parse(&query).map_err(|err| err.to_string());
        assert_eq!(cache.len(), 1);
        let (Ok(first), Ok(second)) = (first, second) else {
            panic!("the document parses");
        };
        assert_eq!(
            format!("{:?}", first.document.operations),
            format!("{:?}", second.document.operations)
        );
        match (first.validation, second.validation) {
            (Some(first), Some(second)) => assert!(
                Arc::ptr_eq(&first, &second),
                "one text, one remembered validation"
            ),
            _ => panic!("a kept document keeps its validation"),
        }
    }

    #[test]
    fn parse_errors_are_not_remembered() {
        let cache = DocumentCache::new(10);
        assert!(cache.parse(&text("{ contact(")).is_err());
        assert!(cache.is_empty());
    }

    #[test]
    fn the_least_recently_used_document_goes_first() {
        let cache = DocumentCache::new(2);
        for query in ["{ a }", "{ b }", "{ a }", "{ c }"] {
            assert!(cache.parse(&text(query)).is_ok());
        }
        assert_eq!(cache.len(), 2);
        let inner = cache.inner.as_ref().and_then(|inner| inner.lock().ok());
        let kept: Vec<String> = inner
            .map(|documents| {
                documents
                    .parsed
                    .iter()
                    .map(|(k, _)| k.to_string())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(kept, vec!["{ c }".to_owned(), "{ a }".to_owned()]);
    }

    /// A document of `bytes` bytes of text.
    fn sized(bytes: usize, field: char) -> Arc<str> {
        let fields = format!("{field} ").repeat((bytes - 4) / 2);
        text(&format!("{{ {fields}}}"))
    }

    #[test]
    fn text_bytes_are_bounded_too() {
        // Three entries: 3 KiB of text between them.
        let cache = DocumentCache::new(3);
        assert!(cache.parse(&sized(2000, 'a')).is_ok());
        assert!(cache.parse(&sized(1500, 'b')).is_ok());
        assert_eq!(cache.len(), 1, "the older document made room");
        assert!(cache.parse(&sized(4000, 'c')).is_ok());
        assert_eq!(cache.len(), 1, "a text over the whole budget is not kept");
    }

    #[test]
    fn a_text_parsed_twice_at_once_is_counted_once() {
        let cache = DocumentCache::new(3);
        let query = sized(1000, 'a');
        let document = cache.parse(&query).map(|parsed| {
            Arc::new(Remembered {
                document: parsed.document,
                validation: Arc::default(),
            })
        });
        let mut inner = cache.inner.as_ref().and_then(|inner| inner.lock().ok());
        if let (Some(documents), Ok(document)) = (inner.as_mut(), document) {
            documents.insert(Arc::clone(&query), document);
            assert_eq!(documents.text_bytes, query.len());
        } else {
            panic!("the cache is on and the document parses");
        }
    }

    #[test]
    fn zero_entries_turns_it_off() {
        let cache = DocumentCache::new(0);
        assert!(
            cache
                .parse(&text("{ a }"))
                .is_ok_and(|parsed| parsed.validation.is_none())
        );
        assert!(cache.is_empty());
    }
}
