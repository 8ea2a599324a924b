//! Phone numbers that libphonenumber accepts as valid, built from the region's own example
//! number so they work for whatever `identity.default_region` is configured, and never repeated
//! (an SMS or WhatsApp identity is unique per normalized value).

use entity::enums::IdentityChannel;
use phonenumber::{Mode, PhoneNumber, country};

use crate::service::identity;

/// Trailing digits of the example number that are varied; the leading ones select the number
/// type (mobile, area code), so they stay.
const VARIED_DIGITS: u32 = 7;

/// Coprime with every power of ten, so `k * STRIDE mod 10^n` visits each value once and
/// consecutive numbers do not look sequential.
const STRIDE: u64 = 7_919;

/// Give up on a region after this many invalid candidates in a row.
const MAX_MISSES: u32 = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    Mobile,
    Fixed,
}

/// A phone number as a person would type it, and its normalized (E.164) form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    pub entered: String,
    pub normalized: String,
}

/// Distinct valid numbers of one region and line type.
#[derive(Debug, Clone)]
pub struct PhoneSource {
    region: country::Id,
    country_code: u16,
    prefix: String,
    width: u32,
    capacity: u64,
    counter: u64,
}

impl PhoneSource {
    /// `None` when the metadata has no example number for this region and line type.
    pub fn new(region: country::Id, line: Line) -> Option<Self> {
        let meta = phonenumber::metadata::DATABASE.by_id(region.as_ref())?;
        let descriptors = meta.descriptors();
        let descriptor = match line {
            Line::Mobile => descriptors.mobile(),
            Line::Fixed => descriptors.fixed_line(),
        };
        let example = descriptor
            .and_then(|d| d.example())
            .or_else(|| descriptors.general().example())?;
        let width = VARIED_DIGITS.min(u32::try_from(example.len().saturating_sub(2)).ok()?);
        let keep = example.len() - width as usize;
        Some(Self {
            region,
            country_code: meta.country_code(),
            prefix: example.get(..keep)?.to_owned(),
            width,
            capacity: 10_u64.pow(width),
            counter: 0,
        })
    }

    /// The next unused valid number and its E.164 form; `None` once the range is used up.
    pub fn next_number(&mut self) -> Option<(PhoneNumber, String)> {
        let mut misses = 0;
        while self.counter < self.capacity && misses < MAX_MISSES {
            let varied = (self.counter * STRIDE) % self.capacity;
            self.counter += 1;
            let e164 = format!(
                "+{}{}{varied:0width$}",
                self.country_code,
                self.prefix,
                width = self.width as usize
            );
            match phonenumber::parse(Some(self.region), &e164) {
                Ok(number) if phonenumber::is_valid(&number) => return Some((number, e164)),
                _ => misses += 1,
            }
        }
        None
    }

    /// The next number, spelled nationally or internationally, with the normalized value the
    /// identity rules compute for it. A candidate whose normalization is not the number itself
    /// is skipped, so a parser quirk cannot make two numbers collide.
    pub fn next_phone(&mut self, national: bool) -> Option<Phone> {
        loop {
            let (number, e164) = self.next_number()?;
            let mode = if national {
                Mode::National
            } else {
                Mode::International
            };
            let entered = number.format().mode(mode).to_string();
            let normalized = identity::normalize(IdentityChannel::Sms, &entered, self.region);
            if normalized.is_ok_and(|normalized| normalized == e164) {
                return Some(Phone {
                    entered,
                    normalized: e164,
                });
            }
        }
    }
}

/// Valid numbers of one region in international form, for values that are not identities
/// (switchboards), drawn in batches.
///
/// Batches matter for speed: phonenumber keeps only 100 compiled regexes, so parsing one number
/// of another country between each pair of the region's mobile numbers would keep recompiling
/// both sets.
#[derive(Debug, Clone, Default)]
pub struct NumberPool {
    source: Option<PhoneSource>,
    numbers: Vec<String>,
    next: usize,
}

impl NumberPool {
    const BATCH: usize = 16;

    pub fn new(region: country::Id, line: Line) -> Self {
        Self {
            source: PhoneSource::new(region, line),
            numbers: Vec::new(),
            next: 0,
        }
    }

    /// A number not handed out before while the region has any, then the same ones again;
    /// `None` if the region has none at all.
    pub fn next_number(&mut self) -> Option<String> {
        if self.next >= self.numbers.len() {
            self.refill();
        }
        let number = self
            .numbers
            .get(self.next % self.numbers.len().max(1))
            .cloned();
        self.next += 1;
        number
    }

    fn refill(&mut self) {
        let Some(source) = self.source.as_mut() else {
            return;
        };
        for _ in 0..Self::BATCH {
            let Some((number, _)) = source.next_number() else {
                self.source = None;
                return;
            };
            let spelled = number.format().mode(Mode::International).to_string();
            self.numbers.push(spelled);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn numbers_are_valid_distinct_and_normalize() {
        for region in [
            country::Id::US,
            country::Id::DE,
            country::Id::GB,
            country::Id::FR,
        ] {
            let mut source = PhoneSource::new(region, Line::Mobile).unwrap();
            let mut seen = HashSet::new();
            for i in 0..100 {
                let phone = source.next_phone(i % 2 == 0).unwrap();
                let again = identity::normalize(IdentityChannel::Whatsapp, &phone.entered, region);
                assert_eq!(again.unwrap(), phone.normalized);
                assert!(phone.normalized.starts_with('+'));
                assert!(
                    seen.insert(phone.normalized),
                    "{region:?} repeated a number"
                );
            }
        }
    }

    #[test]
    fn fixed_lines_exist_for_every_seed_place() {
        for place in crate::service::seed::names::locations() {
            let region: country::Id = place.country.parse().unwrap();
            let mut source = PhoneSource::new(region, Line::Fixed).expect(place.country);
            let (number, e164) = source.next_number().expect(place.country);
            assert_eq!(number.format().mode(Mode::E164).to_string(), e164);
        }
    }
}
