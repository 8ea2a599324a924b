//! The generated data set: accounts (about one partner per ten customers), each with its
//! contacts, communication methods, incidents and opportunities, built chunk by chunk so memory
//! stays flat however large the plan.
//!
//! Everything random comes from one seeded `SmallRng` and one [`IdClock`], consumed in a fixed
//! order, so a plan always produces the same rows.

use std::collections::{HashMap, HashSet};

use entity::{account, audit_entry};
use phonenumber::country;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use sea_orm::ConnectionTrait;
use tokio::task::JoinHandle;
use uuid::Uuid;

use super::audit;
use super::ids::{DAY_MS, GENERATED_BASE_MS, IdClock};
use super::names::{self, Location};
use super::phones::{Line, NumberPool, PhoneSource};
use super::rows::Rows;
use super::{SeedPlan, SeedReport};
use crate::error::{AppError, AppResult};

/// Accounts built and written per step: large enough that most INSERTs are full batches,
/// small enough that a step's rows (about 10,000 incidents) stay a few megabytes.
const ACCOUNTS_PER_CHUNK: usize = 100;

/// Generated records spread over one year, however many there are.
const SPAN_MS: u64 = 365 * DAY_MS;

/// Mixed into the plan's seed for the id clock, so ids and data draw from separate streams.
const ID_STREAM: u64 = 0x05EE_D1D5;

/// Customers per partner account, roughly.
const CUSTOMERS_PER_PARTNER: usize = 10;

/// The account being filled, as its contacts, incidents and opportunities need it.
pub struct AccountCtx {
    pub id: Uuid,
    pub domain: String,
    pub place: Location,
    pub phone: Option<String>,
    pub partner_id: Option<Uuid>,
}

/// Builds the rows of a [`SeedPlan`], one chunk of accounts at a time.
pub struct Generator {
    pub(super) rng: SmallRng,
    pub(super) clock: IdClock,
    pub(super) region: country::Id,
    pub(super) mobiles: Option<PhoneSource>,
    pub(super) places: Vec<Location>,
    /// Contacts built so far; makes social handles unique.
    pub(super) contacts_made: u64,
    pub(super) contacts_per_account: usize,
    /// Most time between two incidents of one account, so a year's worth spreads evenly.
    pub(super) incident_spacing_ms: u64,
    landlines: HashMap<&'static str, NumberPool>,
    domains: HashSet<String>,
    partners: Vec<Uuid>,
    accounts: usize,
    partner_count: usize,
    next_account: usize,
    /// [`ACCOUNTS_PER_CHUNK`]; tests lower it to cross chunk boundaries with small plans.
    pub(super) accounts_per_chunk: usize,
}

impl Generator {
    pub fn new(plan: &SeedPlan, region: country::Id) -> Self {
        let accounts = plan.accounts;
        let partner_count = match accounts {
            0 | 1 => 0,
            n => (n / (CUSTOMERS_PER_PARTNER + 1)).max(1),
        };
        let account_budget = SPAN_MS / accounts.max(1) as u64;
        let incidents_per_account = 5 * plan.contacts_per_account as u64 + 1;
        Self {
            rng: SmallRng::seed_from_u64(plan.seed),
            clock: IdClock::new(GENERATED_BASE_MS, plan.seed ^ ID_STREAM),
            region,
            mobiles: PhoneSource::new(region, Line::Mobile),
            places: names::locations(),
            contacts_made: 0,
            contacts_per_account: plan.contacts_per_account,
            incident_spacing_ms: 2 * account_budget / incidents_per_account,
            landlines: HashMap::new(),
            domains: HashSet::new(),
            partners: Vec::new(),
            accounts,
            partner_count,
            next_account: 0,
            accounts_per_chunk: ACCOUNTS_PER_CHUNK,
        }
    }

    /// The rows of the next few accounts, or `None` when the plan is done. Partners come
    /// first, so every customer's partner already exists when the customer is written.
    pub fn next_chunk(&mut self) -> AppResult<Option<Rows>> {
        if self.next_account >= self.accounts {
            return Ok(None);
        }
        let end = (self.next_account + self.accounts_per_chunk.max(1)).min(self.accounts);
        let mut rows = Rows::default();
        for index in self.next_account..end {
            self.account(index, &mut rows)?;
        }
        self.next_account = end;
        Ok(Some(rows))
    }

    fn account(&mut self, index: usize, rows: &mut Rows) -> AppResult<()> {
        let (mut model, ctx) = self.account_model(index, &mut rows.audit);
        let contacts_from = rows.contacts.len();
        let contact_ids = self.contacts(&ctx, rows)?;
        let primary = self.rng.random_range(0..contact_ids.len().clamp(1, 3));
        model.primary_contact_id = contact_ids.get(primary).copied();
        self.account_methods(&ctx, rows);
        self.incidents(&ctx, &contact_ids, rows);
        if model.is_customer {
            self.opportunities(&ctx, &contact_ids, rows);
        }
        self.updates(&mut rows.contacts[contacts_from..], &mut rows.audit);
        if model.is_partner {
            self.partners.push(model.id);
        }
        rows.accounts.push(model);
        Ok(())
    }

    /// The account and its CREATE entry; the primary contact is chosen once contacts exist.
    fn account_model(
        &mut self,
        index: usize,
        entries: &mut Vec<audit_entry::Model>,
    ) -> (account::Model, AccountCtx) {
        let is_partner = index < self.partner_count;
        // A few partners buy from us too.
        let is_customer = !is_partner || index % 5 == 4;
        let place = *pick(&mut self.rng, &self.places);
        let (name, domain) = self.company_name(is_partner, &place);
        let partner_id = match self.partners.len() {
            n if n > 0 && !is_partner && self.rng.random_bool(0.6) => {
                Some(self.partners[self.rng.random_range(0..n)])
            }
            _ => None,
        };
        let operation = self.clock.next();
        let stamp = self.clock.next();
        let phone = self.landline(place.country);
        let rng = &mut self.rng;
        let model = account::Model {
            id: stamp.id,
            name,
            is_customer,
            is_partner,
            partner_id,
            primary_contact_id: None,
            phone: phone.clone(),
            website: Some(format!("https://www.{domain}")),
            street: Some(place.street_line(rng.random_range(1..=240))),
            city: Some(place.city.to_owned()),
            state: place.state.map(str::to_owned),
            postal_code: Some(place.postal_code.to_owned()),
            country: Some(place.country.to_owned()),
            notes: rng
                .random_bool(0.2)
                .then(|| pick(rng, names::ACCOUNT_NOTES).to_string()),
            created_at: stamp.at,
            updated_at: stamp.at,
        };
        entries.push(audit::account_created(&mut self.clock, operation, &model));
        let ctx = AccountCtx {
            id: stamp.id,
            domain,
            place,
            phone,
            partner_id,
        };
        (model, ctx)
    }

    /// A coined company name and a domain no other account has.
    fn company_name(&mut self, is_partner: bool, place: &Location) -> (String, String) {
        let start = random_word(&mut self.rng, names::NAME_STARTS);
        let end = random_word(&mut self.rng, names::NAME_ENDS);
        let kind = if is_partner {
            pick(&mut self.rng, names::PARTNER_KINDS)
        } else {
            random_word(&mut self.rng, names::INDUSTRIES)
        };
        let coined = format!("{start}{end}");
        let base = names::ascii_slug(&format!("{coined} {kind}"));
        let mut domain = format!("{base}.example");
        let mut suffix = 1;
        while !self.domains.insert(domain.clone()) {
            suffix += 1;
            domain = format!("{base}{suffix}.example");
        }
        // Domains are unique; names may repeat, as real company names do, but rarely.
        let name = match suffix {
            1 => format!("{coined} {kind} {}", place.legal_form()),
            _ => format!("{coined} {kind} {} {}", place.city, place.legal_form()),
        };
        (name, domain)
    }

    /// The switchboard number of an account in `country`, from that country's numbering plan.
    fn landline(&mut self, country: &'static str) -> Option<String> {
        let pool = self
            .landlines
            .entry(country)
            .or_insert_with(|| match country.parse() {
                Ok(region) => NumberPool::new(region, Line::Fixed),
                Err(_) => NumberPool::default(),
            });
        pool.next_number()
    }
}

/// Writes every chunk of `generator`. The next chunk is built on a blocking thread while the
/// current one is written, which hides most of the generation time behind the database's.
pub async fn write<C: ConnectionTrait>(db: &C, generator: Generator) -> AppResult<SeedReport> {
    let mut report = SeedReport::default();
    let mut pending = build_next(generator);
    loop {
        let (generator, rows) = pending.await.map_err(AppError::internal)?;
        let Some(rows) = rows? else {
            return Ok(report);
        };
        pending = build_next(generator);
        report.add(&rows.write(db).await?);
    }
}

type Built = (Generator, AppResult<Option<Rows>>);

fn build_next(mut generator: Generator) -> JoinHandle<Built> {
    tokio::task::spawn_blocking(move || {
        let rows = generator.next_chunk();
        (generator, rows)
    })
}

/// One element of a non-empty list.
pub fn pick<'a, T, R: Rng>(rng: &mut R, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

pub fn random_word<R: Rng>(rng: &mut R, words: &'static str) -> &'static str {
    names::word(words, rng.random_range(0..names::word_count(words)))
}

/// One of `choices`, each as likely as its weight.
pub fn weighted<T: Copy, R: Rng>(rng: &mut R, choices: &[(T, u32)]) -> T {
    let total: u32 = choices.iter().map(|c| c.1).sum();
    let mut roll = rng.random_range(0..total.max(1));
    for &(choice, weight) in choices {
        if roll < weight {
            return choice;
        }
        roll -= weight;
    }
    choices[choices.len() - 1].0
}
