//! A seeded generator of read queries over the six record types: random field subsets, aliases,
//! named and inline fragments, variables (with and without defaults), `@include`/`@skip`,
//! to-one relations, lists and nested connections with page arguments, filters, orders and real
//! cursors, plus a few fields the compiled path leaves to the resolvers and a small share of
//! deliberately bad arguments (so errors are compared too).
//!
//! Every document is valid: an aliased field gets an alias no other field uses, and a field
//! with arguments or a sub-selection appears unaliased at most once in a merged selection set
//! (fragments included), so fields always merge. Depth stays under `limits.max_depth` and the
//! page sizes multiplied down the tree stay far under `limits.max_complexity`.

use std::collections::{HashMap, HashSet};

use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value};

use super::catalogue::{Catalogue, ListKey, Lit};
use super::data::Data;
use super::schema::{self, Field, Kind, Ty};

/// One generated request.
pub struct Query {
    pub text: String,
    pub variables: Value,
    /// Whether an argument was made invalid on purpose (a garbage or foreign cursor, a page size
    /// out of range, an unknown identity format...): errors are expected then.
    pub deliberately_bad: bool,
}

/// Cursors of each list, taken from answers of the resolver path.
pub type Cursors = HashMap<ListKey, Vec<String>>;

/// Levels a root field may use: `limits.max_depth` is 16; two spare.
const ROOT_DEPTH: usize = 14;
/// Fields per document, roughly.
const FIELD_BUDGET: i64 = 70;
/// Largest product of page sizes down one path, so that the complexity (rows times fields)
/// stays far under 250,000.
const MAX_ROWS: u64 = 3_000;
/// Named fragments per document at most.
const MAX_FRAGMENTS: usize = 5;
/// Whether `@skip(if: $v)` / `@include(if: $v)` may use a variable that is not sent and has a
/// default. async-graphql 7.2.1 drops skipped selections before it applies variable defaults
/// (async-graphql PR #1827, open); the endpoint fills declared defaults in before execution, so
/// both paths read such a condition as the specification says.
const DEFAULTED_DIRECTIVE_VARIABLES: bool = true;

pub struct Generator<'a> {
    rng: SmallRng,
    data: &'a Data,
    catalogue: &'a Catalogue,
    cursors: &'a Cursors,
    doc: Doc,
}

/// The document being built.
#[derive(Default)]
struct Doc {
    variable_definitions: Vec<String>,
    variables: Map<String, Value>,
    fragments: Vec<Fragment>,
    node_fragment: bool,
    aliases: usize,
    budget: i64,
    bad: bool,
}

struct Fragment {
    name: String,
    ty: Ty,
    depth: usize,
    claims: HashSet<String>,
    text: String,
}

/// The response keys of one merged selection set that must not be used unaliased again: fields
/// with arguments or sub-selections, and the named fragments already spread into it.
#[derive(Default)]
struct Scope {
    claims: HashSet<String>,
    spread: HashSet<String>,
}

impl Scope {
    /// Claims `name` for an unaliased field; false when taken (the field needs an alias).
    fn claim(&mut self, name: &str) -> bool {
        self.claims.insert(name.to_owned())
    }
}

impl<'a> Generator<'a> {
    pub fn new(seed: u64, data: &'a Data, catalogue: &'a Catalogue, cursors: &'a Cursors) -> Self {
        Self {
            rng: SmallRng::seed_from_u64(seed),
            data,
            catalogue,
            cursors,
            doc: Doc::default(),
        }
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items.choose(&mut self.rng).cloned().unwrap()
    }

    pub fn query(&mut self) -> Query {
        self.doc = Doc {
            budget: FIELD_BUDGET,
            ..Doc::default()
        };
        let mut scope = Scope::default();
        let roots = self.pick(&[1, 1, 1, 2, 2, 3]);
        let mut body = Vec::new();
        for _ in 0..roots {
            body.push(self.root(&mut scope));
        }
        let doc = std::mem::take(&mut self.doc);
        let mut text = if doc.variable_definitions.is_empty() {
            if self.chance(0.5) {
                format!("{{ {} }}", body.join(" "))
            } else {
                format!("query Q {{ {} }}", body.join(" "))
            }
        } else {
            format!(
                "query Q({}) {{ {} }}",
                doc.variable_definitions.join(", "),
                body.join(" ")
            )
        };
        for fragment in &doc.fragments {
            text.push('\n');
            text.push_str(&fragment.text);
        }
        if doc.node_fragment {
            text.push_str("\nfragment NodeFields on Node { id __typename }");
        }
        Query {
            text,
            variables: Value::Object(doc.variables),
            deliberately_bad: doc.bad,
        }
    }

    fn alias(&mut self) -> String {
        self.doc.aliases += 1;
        format!("a{}", self.doc.aliases)
    }

    /// `alias: ` when `aliased`, or when an unaliased `name` is taken in `scope`.
    fn key(&mut self, name: &str, claims: bool, aliased: bool, scope: &mut Scope) -> String {
        if aliased || (claims && !scope.claim(name)) {
            format!("{}: ", self.alias())
        } else {
            String::new()
        }
    }

    /// An argument value, written inline or passed through a variable of `ty` (sometimes with
    /// the value as the variable's default instead).
    fn arg(&mut self, value: Lit, ty: &str) -> String {
        self.arg_with(value, ty, true)
    }

    /// `arg`, where `default_only` allows a variable that is not sent and takes its value from
    /// its default.
    fn arg_with(&mut self, value: Lit, ty: &str, default_only: bool) -> String {
        if !self.chance(0.3) {
            return value.graphql();
        }
        let name = format!("v{}", self.doc.variable_definitions.len() + 1);
        let nullable = !ty.ends_with('!');
        match self.rng.random_range(0..4) {
            0 if default_only => {
                self.doc
                    .variable_definitions
                    .push(format!("${name}: {ty} = {}", value.graphql()));
            }
            1 if nullable => {
                self.doc
                    .variable_definitions
                    .push(format!("${name}: {ty} = null"));
                self.doc.variables.insert(name.clone(), value.json());
            }
            _ => {
                self.doc.variable_definitions.push(format!("${name}: {ty}"));
                self.doc.variables.insert(name.clone(), value.json());
            }
        }
        format!("${name}")
    }

    /// A nullable variable given no value and no default: the argument counts as left out.
    fn absent(&mut self, ty: &str) -> String {
        let name = format!("v{}", self.doc.variable_definitions.len() + 1);
        self.doc.variable_definitions.push(format!("${name}: {ty}"));
        format!("${name}")
    }

    /// Now and then `@include(if:)` or `@skip(if:)`, literal or through a variable.
    fn directive(&mut self) -> String {
        if !self.chance(0.1) {
            return String::new();
        }
        let name = if self.chance(0.5) { "include" } else { "skip" };
        let condition = self.chance(0.5);
        let value = self.arg_with(
            Lit::Bool(condition),
            "Boolean!",
            DEFAULTED_DIRECTIVE_VARIABLES,
        );
        format!(" @{name}(if: {value})")
    }

    fn root(&mut self, scope: &mut Scope) -> String {
        let roll = self.rng.random_range(0..100);
        let depth = ROOT_DEPTH;
        if roll < 62 {
            let ty = self.pick(&Ty::LISTED);
            self.connection(ty.root_list(), ty, depth, 1, scope, false)
        } else if roll < 77 {
            let ty = self.pick(&Ty::LISTED);
            let id = self.record_id(ty);
            let id = self.arg(id, "ID!");
            let key = self.key(ty.root_one().unwrap_or_default(), true, false, scope);
            let directive = self.directive();
            let selection = self.selection(ty, depth - 1, 1, &mut Scope::default());
            format!(
                "{key}{}(id: {id}){directive} {{ {selection} }}",
                ty.root_one().unwrap_or_default()
            )
        } else if roll < 92 {
            let roll = self.rng.random_range(0..100);
            let (channel, value) = if roll < 70 {
                self.pick(&self.data.known_identities)
            } else if roll < 95 {
                self.pick(&self.data.unknown_identities)
            } else {
                self.doc.bad = true;
                self.pick(&self.data.invalid_identities)
            };
            let channel = self.arg(Lit::Enum(channel), "IdentityChannel!");
            let value = self.arg(Lit::Str(value), "String!");
            let key = self.key("contactByIdentity", true, false, scope);
            let directive = self.directive();
            let selection = self.selection(Ty::Contact, depth - 1, 1, &mut Scope::default());
            format!(
                "{key}contactByIdentity(channel: {channel}, value: {value}){directive} {{ {selection} }}"
            )
        } else if roll < 96 {
            // `node(id:)`: left to the resolvers.
            let ty = self.pick(&Ty::ALL);
            let id = self.record_id(ty);
            let id = self.arg(id, "ID!");
            let key = self.key("node", true, false, scope);
            let mut parts = vec!["__typename".to_owned()];
            for ty in Ty::ALL {
                if self.chance(0.4) {
                    let selection = self.selection(ty, depth - 2, 1, &mut Scope::default());
                    parts.push(format!("... on {} {{ {selection} }}", ty.name()));
                }
            }
            format!("{key}node(id: {id}) {{ {} }}", parts.join(" "))
        } else {
            "__typename".to_owned()
        }
    }

    /// The id of a record of `ty` (or of a merged contact), now and then an unknown one, one
    /// of another type, or a malformed one.
    fn record_id(&mut self, ty: Ty) -> Lit {
        let roll = self.rng.random_range(0..100);
        let ids = match ty {
            Ty::Account => &self.data.accounts,
            Ty::Contact if roll < 30 => &self.data.merged,
            Ty::Contact => &self.data.contacts,
            Ty::Incident => &self.data.incidents,
            Ty::Opportunity => &self.data.opportunities,
            Ty::Identity => &self.data.identities,
            Ty::Method => &self.data.methods,
        };
        if roll < 88 {
            return Lit::Str(self.pick(ids));
        }
        if roll < 94 {
            // A well-formed id nobody has.
            let node_type = match ty {
                Ty::Account => contacts_graph::graphql::ids::NodeType::Account,
                Ty::Contact => contacts_graph::graphql::ids::NodeType::Contact,
                Ty::Identity => contacts_graph::graphql::ids::NodeType::ContactIdentity,
                Ty::Incident => contacts_graph::graphql::ids::NodeType::Incident,
                Ty::Opportunity => contacts_graph::graphql::ids::NodeType::Opportunity,
                Ty::Method => contacts_graph::graphql::ids::NodeType::CommunicationMethod,
            };
            let uuid = uuid::Uuid::from_u128(self.rng.random());
            return Lit::Str(crate::common::world::gid(node_type, uuid));
        }
        self.doc.bad = true;
        if roll < 97 {
            let other = if ty == Ty::Account {
                &self.data.incidents
            } else {
                &self.data.accounts
            };
            Lit::Str(self.pick(other))
        } else {
            Lit::Str("not-an-id".to_owned())
        }
    }

    /// A selection set of `ty` whose fields may use `depth` levels, under `rows` rows.
    fn selection(&mut self, ty: Ty, depth: usize, rows: u64, scope: &mut Scope) -> String {
        let count = self.pick(&[1, 2, 2, 3, 3, 4, 5, 6]);
        let mut items = vec![self.leaf(ty, scope)];
        for _ in 1..count {
            if self.doc.budget <= 0 {
                break;
            }
            let item = self.item(ty, depth, rows, scope);
            items.push(item);
        }
        items.join(" ")
    }

    fn item(&mut self, ty: Ty, depth: usize, rows: u64, scope: &mut Scope) -> String {
        let roll = self.rng.random_range(0..100);
        let fields = ty.fields();
        let of_kind = |pred: fn(Kind) -> bool| -> Vec<Field> {
            fields.iter().copied().filter(|f| pred(f.kind)).collect()
        };
        match roll {
            0..45 => self.leaf(ty, scope),
            45..50 => {
                let aliased = self.chance(0.2);
                let key = self.key("__typename", false, aliased, scope);
                format!("{key}__typename")
            }
            50..64 if depth >= 2 => {
                let ones = of_kind(|k| matches!(k, Kind::One(_)));
                let field = self.pick(&ones);
                self.object(field, depth, rows, scope)
            }
            64..71 if depth >= 2 => {
                let lists = of_kind(|k| matches!(k, Kind::List(_)));
                if lists.is_empty() {
                    return self.leaf(ty, scope);
                }
                let field = self.pick(&lists);
                self.object(field, depth, rows, scope)
            }
            71..83 if depth >= 3 => {
                let connections = of_kind(|k| matches!(k, Kind::Connection(_)));
                if connections.is_empty() {
                    return self.leaf(ty, scope);
                }
                let field = self.pick(&connections);
                let Kind::Connection(node) = field.kind else {
                    unreachable!()
                };
                let first = self.connection(field.name, node, depth, rows, scope, false);
                if self.chance(0.25) {
                    // The same field again under another alias, with other arguments.
                    let second = self.connection(field.name, node, depth, rows, scope, true);
                    return format!("{first} {second}");
                }
                first
            }
            83..89 => {
                let directive = self.directive();
                let selection = self.selection(ty, depth, rows, scope);
                format!("... on {}{directive} {{ {selection} }}", ty.name())
            }
            89..92 => {
                if self.chance(0.5) {
                    self.doc.node_fragment = true;
                    let directive = self.directive();
                    format!("...NodeFields{directive}")
                } else {
                    "... on Node { id }".to_owned()
                }
            }
            92..97 => self.spread(ty, depth, rows, scope),
            97..100 if ty == Ty::Contact => self.uncovered(depth, scope),
            _ => self.leaf(ty, scope),
        }
    }

    /// A scalar or enum field of `ty` (or `Opportunity.amount`), maybe aliased or guarded.
    fn leaf(&mut self, ty: Ty, scope: &mut Scope) -> String {
        self.doc.budget -= 1;
        let leaves: Vec<Field> = ty
            .fields()
            .iter()
            .copied()
            .filter(|f| matches!(f.kind, Kind::Leaf | Kind::Money))
            .collect();
        let field = self.pick(&leaves);
        let aliased = self.chance(0.15);
        let directive = self.directive();
        if field.kind == Kind::Money {
            let key = self.key(field.name, true, aliased, scope);
            let mut parts: Vec<&str> = ["amount", "currency", "minorUnits"]
                .into_iter()
                .filter(|_| self.rng.random_bool(0.6))
                .collect();
            if parts.is_empty() {
                parts.push("minorUnits");
            }
            return format!("{key}amount{directive} {{ {} }}", parts.join(" "));
        }
        let key = self.key(field.name, false, aliased, scope);
        format!("{key}{}{directive}", field.name)
    }

    /// A to-one relation or a plain list, with its own selection.
    fn object(&mut self, field: Field, depth: usize, rows: u64, scope: &mut Scope) -> String {
        self.doc.budget -= 1;
        let (Kind::One(ty) | Kind::List(ty)) = field.kind else {
            unreachable!()
        };
        let aliased = self.chance(0.15);
        let key = self.key(field.name, true, aliased, scope);
        let directive = self.directive();
        let rows = if matches!(field.kind, Kind::List(_)) {
            rows * 3
        } else {
            rows
        };
        let selection = self.selection(ty, depth - 1, rows, &mut Scope::default());
        format!("{key}{}{directive} {{ {selection} }}", field.name)
    }

    /// A connection field of `node` records with page arguments, filter and order, and a
    /// random part of `totalCount`, `pageInfo`, `edges` and `nodes`.
    fn connection(
        &mut self,
        name: &str,
        node: Ty,
        depth: usize,
        rows: u64,
        scope: &mut Scope,
        aliased: bool,
    ) -> String {
        self.doc.budget -= 1;
        let root = rows == 1 && depth == ROOT_DEPTH;
        let filters = self.catalogue.filters[&node].len();
        let orders = self.catalogue.orders[&node].len();
        let list = ListKey {
            ty: node,
            filter: if self.chance(0.5) {
                0
            } else {
                self.rng.random_range(0..filters)
            },
            order: if self.chance(0.5) {
                0
            } else {
                self.rng.random_range(0..orders)
            },
        };
        let mut args = Vec::new();
        if let Some(filter) = self.catalogue.filters[&node][list.filter].clone() {
            let value = self.arg(filter, schema::filter_type(node));
            args.push(format!("filter: {value}"));
        } else if self.chance(0.05) {
            let value = self.absent(schema::filter_type(node));
            args.push(format!("filter: {value}"));
        }
        if let Some(order) = self.catalogue.orders[&node][list.order].clone() {
            let value = self.arg(order, schema::order_type(node));
            args.push(format!("orderBy: {value}"));
        }
        let size = self.page(list, root, rows, &mut args);
        let rows = rows * size.max(1);
        if self.chance(0.5) {
            args.reverse();
        }
        let aliased = aliased || self.chance(0.2);
        let key = self.key(name, true, aliased, scope);
        let directive = self.directive();
        let arguments = if args.is_empty() {
            String::new()
        } else {
            format!("({})", args.join(", "))
        };
        let parts = self.connection_parts(node, depth - 1, rows);
        format!("{key}{name}{arguments}{directive} {{ {parts} }}")
    }

    /// Page arguments: mostly `first` or `last` of 0 to 5 with a real cursor now and then; at
    /// the root sometimes none (the default page) or a larger page; rarely an invalid one.
    /// Returns the page size for the complexity estimate.
    fn page(&mut self, list: ListKey, root: bool, rows: u64, args: &mut Vec<String>) -> u64 {
        if self.chance(0.03) {
            self.doc.bad = true;
            return self.bad_page(list, rows, args);
        }
        let roll = self.rng.random_range(0..100);
        let room = MAX_ROWS / rows.max(1);
        if root && roll < 12 && room >= 20 {
            // The default page: `first` left out, given as `null`, or an unset variable.
            match self.rng.random_range(0..5) {
                0 => args.push("first: null".to_owned()),
                1 => {
                    let value = self.absent("Int");
                    args.push(format!("first: {value}"));
                }
                _ => {}
            }
            return 20;
        }
        let mut size = self.pick(&[0u64, 1, 1, 2, 2, 3, 3, 4, 5]);
        if root && self.chance(0.1) && room >= 25 {
            size = self.pick(&[10u64, 25]);
        }
        let size = size.min(room.max(1));
        let forward = roll < 65;
        let (count, cursor) = if forward {
            ("first", "after")
        } else {
            ("last", "before")
        };
        let value = self.arg(Lit::Int(size as i64), "Int");
        args.push(format!("{count}: {value}"));
        if self.chance(0.4) {
            if let Some(value) = self.cursor(list) {
                let value = self.arg(Lit::Str(value), "String");
                args.push(format!("{cursor}: {value}"));
            }
        } else if self.chance(0.05) {
            let value = self.absent("String");
            args.push(format!("{cursor}: {value}"));
        } else if self.chance(0.05) {
            args.push(format!("{cursor}: null"));
        }
        if self.chance(0.08) {
            // A window between two cursors.
            let other = if forward { "before" } else { "after" };
            if let Some(value) = self.cursor(list) {
                let value = self.arg(Lit::Str(value), "String");
                args.push(format!("{other}: {value}"));
            }
        }
        size
    }

    fn cursor(&mut self, list: ListKey) -> Option<String> {
        let cursors = self.cursors.get(&list)?;
        cursors.choose(&mut self.rng).cloned()
    }

    /// Arguments the API refuses: sizes out of range, `first` with `last`, cursors that are
    /// garbage or belong to another list.
    fn bad_page(&mut self, list: ListKey, rows: u64, args: &mut Vec<String>) -> u64 {
        let mut case = self.rng.random_range(0..6);
        if case == 1 && rows > 1 {
            // `last: 101` deep down would exceed the complexity limit instead.
            case = 0;
        }
        match case {
            0 => args.push("first: -1".to_owned()),
            1 => args.push("last: 101".to_owned()),
            2 => args.push("first: 2, last: 2".to_owned()),
            3 => {
                let value = self.arg(Lit::Str("bm90IGEgY3Vyc29y".to_owned()), "String");
                args.push(format!("first: 2, after: {value}"));
            }
            4 => args.push("last: 1, before: \"%%%\"".to_owned()),
            _ => {
                // A real cursor of another list of the same type.
                let other = ListKey {
                    filter: (list.filter + 1) % self.catalogue.filters[&list.ty].len(),
                    ..list
                };
                if let Some(value) = self.cursor(other) {
                    let value = self.arg(Lit::Str(value), "String");
                    args.push(format!("first: 3, after: {value}"));
                } else {
                    args.push("first: 3, after: \"\"".to_owned());
                }
            }
        }
        3
    }

    fn connection_parts(&mut self, ty: Ty, depth: usize, rows: u64) -> String {
        let mut parts = Vec::new();
        if self.chance(0.4) {
            let aliased = self.chance(0.1);
            let key = self.key("totalCount", false, aliased, &mut Scope::default());
            parts.push(format!("{key}totalCount"));
        }
        if self.chance(0.4) {
            let mut fields: Vec<&str> =
                ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor"]
                    .into_iter()
                    .filter(|_| self.rng.random_bool(0.6))
                    .collect();
            if fields.is_empty() {
                fields.push("hasNextPage");
            }
            parts.push(format!("pageInfo {{ {} }}", fields.join(" ")));
        }
        if self.chance(0.5) {
            let mut edge = Vec::new();
            if self.chance(0.6) {
                edge.push("cursor".to_owned());
            }
            if depth >= 3 && (edge.is_empty() || self.chance(0.8)) {
                let selection = self.selection(ty, depth - 2, rows, &mut Scope::default());
                edge.push(format!("node {{ {selection} }}"));
            }
            if edge.is_empty() {
                edge.push("cursor".to_owned());
            }
            if self.chance(0.05) {
                edge.push("__typename".to_owned());
            }
            parts.push(format!("edges {{ {} }}", edge.join(" ")));
        }
        if (parts.is_empty() || self.chance(0.45)) && depth >= 2 {
            let selection = self.selection(ty, depth - 1, rows, &mut Scope::default());
            parts.push(format!("nodes {{ {selection} }}"));
        }
        if parts.is_empty() || self.chance(0.05) {
            parts.push("__typename".to_owned());
        }
        parts.join(" ")
    }

    /// A named fragment spread: an existing fragment on `ty` that fits, or a new one.
    fn spread(&mut self, ty: Ty, depth: usize, rows: u64, scope: &mut Scope) -> String {
        let fitting: Vec<usize> = (0..self.doc.fragments.len())
            .filter(|i| {
                let fragment = &self.doc.fragments[*i];
                fragment.ty == ty
                    && fragment.depth <= depth
                    && (scope.spread.contains(&fragment.name)
                        || fragment.claims.is_disjoint(&scope.claims))
            })
            .collect();
        let reuse =
            !fitting.is_empty() && (self.chance(0.6) || self.doc.fragments.len() >= MAX_FRAGMENTS);
        let index = if reuse {
            self.pick(&fitting)
        } else if self.doc.fragments.len() < MAX_FRAGMENTS {
            // Built in a scope that already holds this selection's claims, so its own claims
            // are disjoint from them.
            let depth = depth.min(6);
            let mut own = Scope {
                claims: scope.claims.clone(),
                spread: HashSet::new(),
            };
            let selection = self.selection(ty, depth, rows, &mut own);
            let claims = own.claims.difference(&scope.claims).cloned().collect();
            let name = format!("F{}", self.doc.fragments.len() + 1);
            let text = format!("fragment {name} on {} {{ {selection} }}", ty.name());
            self.doc.fragments.push(Fragment {
                name,
                ty,
                depth,
                claims,
                text,
            });
            self.doc.fragments.len() - 1
        } else {
            return self.leaf(ty, scope);
        };
        let name = self.doc.fragments[index].name.clone();
        let claims = self.doc.fragments[index].claims.clone();
        scope.claims.extend(claims);
        scope.spread.insert(name.clone());
        let directive = self.directive();
        format!("...{name}{directive}")
    }

    /// `Contact.auditLog` or `Contact.mergedFrom`: fields the compiled path leaves to the
    /// resolvers.
    fn uncovered(&mut self, depth: usize, scope: &mut Scope) -> String {
        self.doc.budget -= 1;
        if depth < 4 || self.chance(0.4) {
            let aliased = self.chance(0.2);
            let key = self.key("mergedFrom", false, aliased, scope);
            return format!("{key}mergedFrom");
        }
        let key = self.key("auditLog", true, false, scope);
        let size = self.pick(&[1, 2, 5]);
        format!(
            "{key}auditLog(first: {size}) {{ totalCount nodes {{ action actor entityType \
             changes {{ field before after }} contact {{ id lastName }} }} }}"
        )
    }
}
