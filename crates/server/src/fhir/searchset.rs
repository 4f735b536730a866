//! The one search path every resource type goes through: parse the query against the type's
//! declared parameters, ask the type's [`Source`] for a page (or walk every page for
//! `_summary=count`), and answer the searchset Bundle with absolute `fullUrl`s, `self` and
//! `next` links and, under lenient handling, the OperationOutcome entry naming what was
//! ignored.
//!
//! A type supplies only what differs: how to fetch a page of its items after a token, and how
//! to render one. [`Flatten`] serves the types whose items are children of paged parents
//! (a facility's services, a referral's offers).

use super::params::{bad_page_token, Handling, Mode, Params};
use super::response::{Fhir, FhirProblem, FhirResult};
use crate::state::AppState;
use axum::extract::{FromRequestParts, RawQuery};
use axum::http::request::Parts;
use carebridge_domain::page::{Page, MAX_PAGE_SIZE};
use carebridge_interop::fhir::{resource_capability, searchset_bundle, Searchset};
use std::convert::Infallible;
use std::future::Future;

/// A walk for `_summary=count` that has not ended after this many pages is a bug (a token
/// that does not advance), answered as a 500 rather than a request that never ends.
const MAX_COUNT_PAGES: usize = 10_000;

/// What every FHIR interaction reads from the request: the raw query, the handling the client
/// prefers for unknown parameters, and the FHIR base for absolute links.
#[derive(Debug, Clone)]
pub struct FhirRequest {
    query: Option<String>,
    handling: Handling,
    base: String,
}

impl FromRequestParts<AppState> for FhirRequest {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let RawQuery(query) = RawQuery::from_request_parts(parts, state).await?;
        Ok(Self { query, handling: Handling::of(&parts.headers), base: state.fhir_base() })
    }
}

impl FhirRequest {
    /// The FHIR base (`{public_url}/fhir`).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The parameters of a read, which takes format choices and `extra`.
    pub fn read(&self, extra: &[&str]) -> Result<Params, FhirProblem> {
        Params::read(self.query.as_deref(), self.handling, extra)
    }

    /// A search of `resource_type`, whose parameters are the ones the CapabilityStatement
    /// declares for it.
    pub fn search(self, resource_type: &'static str) -> Result<Search, FhirProblem> {
        let declared = resource_capability(resource_type)
            .ok_or_else(|| FhirProblem::internal(format!("{resource_type} is not in the CapabilityStatement")))?
            .search_params;
        let names: Vec<&str> = declared.iter().map(|p| p.name).collect();
        let dates: Vec<&str> = declared.iter().filter(|p| p.kind == "date").map(|p| p.name).collect();
        let params = Params::search_with_repeats(self.query.as_deref(), self.handling, &names, &dates)?;
        Ok(Search { resource_type, base: self.base, params })
    }
}

/// Where a type's items come from, one page at a time.
pub trait Source: Sync {
    type Item: Send;

    /// At most `limit` items after `token` (`None`: from the start), and the token of the
    /// next page if there is one. A token this server did not issue is [`bad_page_token`].
    fn page(
        &self,
        token: Option<&str>,
        limit: u32,
    ) -> impl Future<Output = Result<Page<Self::Item>, FhirProblem>> + Send;

    /// The resource (JSON) for one item.
    fn render(&self, item: &Self::Item) -> String;
}

/// A search being answered.
#[derive(Debug)]
pub struct Search {
    resource_type: &'static str,
    base: String,
    params: Params,
}

impl Search {
    /// The parameters, for the handler to read its own.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// Answer from `source`: a page, or the count of every match.
    pub async fn run<S: Source>(&self, source: &S) -> FhirResult {
        let mode = self.params.mode();
        let token = self.params.page_token();
        self.check_all_read()?;
        match mode {
            Mode::Count => {
                let mut total = 0usize;
                let mut next: Option<String> = None;
                for _ in 0..MAX_COUNT_PAGES {
                    let page = source.page(next.as_deref(), MAX_PAGE_SIZE).await?;
                    total += page.items.len();
                    next = page.next_cursor;
                    if next.is_none() {
                        return self.bundle(&[], None, Some(total));
                    }
                }
                Err(FhirProblem::internal(format!("counting {} did not end", self.resource_type)))
            }
            Mode::Page(limit) => {
                let page = source.page(token, limit).await?;
                let entries: Vec<String> = page.items.iter().map(|i| source.render(i)).collect();
                // Exact and free when the first page is the only one.
                let total = (token.is_none() && page.next_cursor.is_none()).then_some(entries.len());
                self.bundle(&entries, page.next_cursor.as_deref(), total)
            }
        }
    }

    /// Answer a search the handler knows matches nothing (a code system we do not use, two
    /// regions that do not overlap).
    pub fn nothing(&self) -> FhirResult {
        self.params.page_token();
        self.params.mode();
        self.check_all_read()?;
        self.bundle(&[], None, Some(0))
    }

    /// A declared parameter that reached no handler would be silently dropped: a bug, and
    /// answered as one rather than with unfiltered data.
    fn check_all_read(&self) -> Result<(), FhirProblem> {
        let unread = self.params.unread();
        if unread.is_empty() {
            return Ok(());
        }
        Err(FhirProblem::internal(format!("the {} search did not read {}", self.resource_type, unread.join(", "))))
    }

    fn bundle(&self, entries: &[String], next_token: Option<&str>, total: Option<usize>) -> FhirResult {
        let count_only = self.params.mode() == Mode::Count;
        let base = format!("{}/{}", self.base, self.resource_type);
        let url = |query: String| if query.is_empty() { base.clone() } else { format!("{base}?{query}") };
        let self_url = url(self.params.self_query(!count_only));
        let next_url = next_token.map(|t| url(self.params.next_query(t)));
        let searchset = Searchset {
            base: &self.base,
            self_url: &self_url,
            next_url: next_url.as_deref(),
            total: total.map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
            warnings: self.params.ignored(),
        };
        searchset_bundle(&searchset, entries).map(Fhir).map_err(FhirProblem::internal)
    }
}

/// Where a page of children starts: after the parent the cursor names (from the first parent
/// without one), skipping that many of the first parent's children. Rendered `{cursor}.{skip}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChildToken {
    pub cursor: Option<String>,
    pub skip: usize,
}

impl ChildToken {
    /// Read a token; `max_skip` bounds the children one parent can have.
    pub fn parse(s: &str, max_skip: usize) -> Result<Self, FhirProblem> {
        let (cursor, skip) = s.rsplit_once('.').ok_or_else(bad_page_token)?;
        let skip = skip.parse().ok().filter(|n| *n < max_skip).ok_or_else(bad_page_token)?;
        Ok(Self { cursor: (!cursor.is_empty()).then(|| cursor.to_owned()), skip })
    }

    pub fn render(&self) -> String {
        format!("{}.{}", self.cursor.as_deref().unwrap_or(""), self.skip)
    }
}

/// Children of paged parents as one paged list, `limit` children a page whatever the
/// parents hold: parent pages are fed in until one more child than fits is seen (so a
/// `next` link always leads to a non-empty page) or the parents run out.
///
/// Feed it while [`Flatten::wants`] gives the parent cursor to fetch after.
#[derive(Debug)]
pub struct Flatten<C> {
    limit: usize,
    items: Vec<C>,
    next: Option<ChildToken>,
    /// The parent cursor before the parent being read, and its children to skip.
    at: ChildToken,
    done: bool,
}

impl<C> Flatten<C> {
    pub fn new(start: ChildToken, limit: u32) -> Self {
        Self { limit: limit as usize, items: Vec::new(), next: None, at: start, done: false }
    }

    /// `Some(cursor)`: fetch the parents after `cursor` (`None` inside: from the first) and
    /// [`feed`](Self::feed) them; `None`: the page is complete.
    pub fn wants(&self) -> Option<Option<&str>> {
        (!self.done).then_some(self.at.cursor.as_deref())
    }

    /// One page of parents: `key` is the cursor resuming after a parent, `children` its
    /// children in order.
    pub fn feed<P>(&mut self, parents: Page<P>, key: impl Fn(&P) -> String, children: impl Fn(&P) -> Vec<C>) {
        for parent in &parents.items {
            for (index, child) in children(parent).into_iter().enumerate().skip(self.at.skip) {
                if self.items.len() == self.limit {
                    self.next = Some(ChildToken { cursor: self.at.cursor.clone(), skip: index });
                    self.done = true;
                    return;
                }
                self.items.push(child);
            }
            self.at = ChildToken { cursor: Some(key(parent)), skip: 0 };
        }
        match parents.next_cursor {
            // The next parent page starts where this one ends; the cursor of its last parent
            // and the page's own cursor are the same place.
            Some(cursor) => self.at = ChildToken { cursor: Some(cursor), skip: 0 },
            None => self.done = true,
        }
    }

    /// The page, its `next_cursor` a rendered [`ChildToken`].
    pub fn finish(self) -> Page<C> {
        Page { items: self.items, next_cursor: self.next.map(|t| t.render()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parents(items: &[(u32, u32)], next: Option<&str>) -> Page<(u32, u32)> {
        Page { items: items.to_vec(), next_cursor: next.map(str::to_owned) }
    }

    /// Parent `(id, children)`: its children are `id * 100 + i`.
    fn feed(f: &mut Flatten<u32>, page: Page<(u32, u32)>) {
        f.feed(page, |p| p.0.to_string(), |p| (0..p.1).map(|i| p.0 * 100 + i).collect());
    }

    #[test]
    fn children_straddle_pages_and_no_page_is_empty() {
        let mut f = Flatten::new(ChildToken::default(), 3);
        assert_eq!(f.wants(), Some(None));
        feed(&mut f, parents(&[(1, 2), (2, 0)], Some("2")));
        assert_eq!(f.wants(), Some(Some("2")));
        feed(&mut f, parents(&[(3, 4)], None));
        assert_eq!(f.wants(), None);
        let page = f.finish();
        assert_eq!(page.items, [100, 101, 300]);
        let token = ChildToken::parse(page.next_cursor.as_deref().unwrap(), 10).unwrap();
        assert_eq!(token, ChildToken { cursor: Some("2".into()), skip: 1 });

        let mut f = Flatten::new(token, 3);
        feed(&mut f, parents(&[(3, 4)], None));
        let page = f.finish();
        assert_eq!((page.items, page.next_cursor), (vec![301, 302, 303], None));
    }

    #[test]
    fn a_full_page_at_the_end_of_the_parents_has_no_next() {
        let mut f = Flatten::new(ChildToken::default(), 2);
        feed(&mut f, parents(&[(1, 2)], Some("1")));
        assert!(f.wants().is_some(), "one more parent page decides whether there is more");
        feed(&mut f, parents(&[(2, 0)], None));
        assert_eq!(f.finish().next_cursor, None);
    }

    #[test]
    fn tokens_round_trip() {
        for t in [ChildToken::default(), ChildToken { cursor: Some("3031".into()), skip: 3 }] {
            assert_eq!(ChildToken::parse(&t.render(), 10).unwrap(), t);
        }
        assert!(ChildToken::parse("3031", 10).is_err());
        assert!(ChildToken::parse("3031.99", 10).is_err());
    }
}
