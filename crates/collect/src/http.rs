//! The HTTP service: each expert's personal link (`/s/{token}`) shows their questionnaire
//! for the open round — in their language, with the group's feedback and their own
//! previous answers — and takes their answers, as often as they like until the deadline
//! (the latest answer counts). A JSON API does the same for scripts, and a token-protected
//! endpoint shows the coordinator the response counts (never who answered what).
//!
//! An answer is acknowledged (2xx, or the redirect to the "saved" page) only after the
//! writer committed it. Unknown tokens and tokens of closed rounds get the same page.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Json};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use delphi_core::study::{ItemId, Language, Localised, PanelAttribute, StudyId, Withdrawal};
use delphi_store::{
    Channel, EncodedAnswer, EncodedSubmission, Refusal, RoundState, Store, StoreError, TokenGrant, TokenHash,
    WithdrawalOutcome, WithdrawnBy,
};
use delphi_survey::answer::{Answer, validate};
use delphi_survey::html::{Notice, Problem, escape, message_page, render_refused, render_with_notice, stylesheet};
use delphi_survey::{FrozenRound, Questionnaire, reply};

use crate::personal::{answers_by_item, personal_questionnaire};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::net::TcpListener;

use crate::limits::RateLimiter;
use crate::listener::{ConnectionLimits, Listening};
use crate::proxy::TrustedProxies;
use crate::throttle::{LINES_PER_SECOND, LogThrottle};
use crate::writer::{WriteError, Writer};

/// The JSON API, described for clients and tools.
pub const OPENAPI: &str = include_str!("openapi.json");

/// How the service runs.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// The study served.
    pub study_id: StudyId,
    /// The panel attributes the coordinator's status endpoint counts by.
    pub group_attributes: Vec<PanelAttribute>,
    /// Bearer token for `/api/v1/status`; without one the endpoint does not exist.
    pub coordinator_token: Option<String>,
    /// Requests allowed per client address and per personal token in a minute.
    pub requests_per_minute: u32,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// Timeouts and caps of connections.
    pub connections: ConnectionLimits,
    /// Reverse proxies whose `X-Forwarded-For` / `Forwarded` headers name the client.
    pub trusted_proxies: TrustedProxies,
    /// How long a client over its allowance waits for its 429.
    pub refusal_pause: Duration,
    /// The study's languages, the first the default: the pages no link leads to (an invalid
    /// link) speak each of them. Empty means English.
    pub languages: Vec<Language>,
    /// Whom experts write to (`study.contact`), named on those pages.
    pub contact: Option<String>,
    /// What becomes of the answers of an expert who withdraws (`study.withdrawal`).
    pub withdrawal: Withdrawal,
    /// The study's privacy statement (`study.privacy`), shown above the form with the
    /// consent line: sending the form the first time counts as consent to it.
    pub privacy: Option<Localised>,
}

impl ServiceConfig {
    /// The defaults for `study_id`: 120 requests a minute, 64 KiB bodies, no coordinator endpoint,
    /// English pages.
    pub fn new(study_id: StudyId) -> Self {
        Self {
            study_id,
            group_attributes: Vec::new(),
            coordinator_token: None,
            requests_per_minute: 120,
            max_body_bytes: 64 * 1024,
            connections: ConnectionLimits::default(),
            trusted_proxies: TrustedProxies::default(),
            refusal_pause: Duration::from_secs(1),
            languages: Vec::new(),
            contact: None,
            withdrawal: Withdrawal::default(),
            privacy: None,
        }
    }
}

/// The service's shared state: a read connection, the writer, limits and caches.
#[derive(Debug)]
pub struct Service {
    config: ServiceConfig,
    /// Read connections; WAL lets them read while the writer commits.
    readers: Vec<Mutex<Store>>,
    next_reader: std::sync::atomic::AtomicUsize,
    writer: Writer,
    limiter: RateLimiter,
    content_security_policy: HeaderValue,
    frozen: Mutex<HashMap<u32, Arc<FrozenRound>>>,
    /// Tokens seen valid, by hash, with what they opened: lets an API submission skip the
    /// token and round lookups. Only submissions use it, and each carries its token to the
    /// writer, which stores it only if the token is still current in the committing
    /// transaction (a replaced token, a deactivated expert, a closed round or a passed
    /// deadline are refused there, and the entry is dropped). Pages never use it.
    grants: Mutex<HashMap<TokenHash, Arc<OpenRound>>>,
    coordinator_token_sha256: Option<[u8; 32]>,
    /// Every log line of the service goes through it, so a flood cannot flood the log.
    log: Arc<LogThrottle>,
    /// The page of a link that opens nothing, made once: a flood of made-up links costs no work.
    invalid_link_page: String,
}

/// Entries of the token cache at most; past that it starts afresh.
const GRANTS_CACHED: usize = 100_000;

impl Service {
    /// `readers` are connections of their own to the study's store (at least one; a few let
    /// requests read in parallel); `writer` commits answers.
    pub fn new(config: ServiceConfig, readers: Vec<Store>, writer: Writer) -> Arc<Self> {
        assert!(!readers.is_empty(), "the service needs a read connection");
        let style_hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(stylesheet().as_bytes()));
        let policy = format!(
            "default-src 'none'; style-src 'sha256-{style_hash}'; img-src 'self' data:; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'"
        );
        let invalid_link_page = invalid_link_page(&config.languages, config.contact.as_deref());
        Arc::new(Self {
            invalid_link_page,
            limiter: RateLimiter::new(config.requests_per_minute, Duration::from_secs(60)),
            content_security_policy: HeaderValue::from_str(&policy).expect("the policy is plain ASCII"),
            coordinator_token_sha256: config.coordinator_token.as_ref().map(|t| Sha256::digest(t.as_bytes()).into()),
            config,
            readers: readers.into_iter().map(Mutex::new).collect(),
            next_reader: std::sync::atomic::AtomicUsize::new(0),
            writer,
            frozen: Mutex::new(HashMap::new()),
            grants: Mutex::new(HashMap::new()),
            log: Arc::new(LogThrottle::new(LINES_PER_SECOND)),
        })
    }
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    service: Arc<Service>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listening = Listening {
        limits: service.config.connections.clone(),
        proxies: service.config.trusted_proxies.clone(),
        log: service.log.clone(),
    };
    let app = router(service);
    crate::listener::run(listener, app, listening, shutdown).await
}

fn router(service: Arc<Service>) -> Router {
    Router::new()
        .route("/s/{token}", get(form_page).post(form_submit))
        .route("/s/{token}/withdraw", get(withdraw_page).post(withdraw_confirmed))
        .route("/api/v1/s/{token}", get(api_questionnaire).post(api_submit))
        .route("/api/v1/status", get(api_status))
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/v1/openapi.json", get(|| async { ([(header::CONTENT_TYPE, "application/json")], OPENAPI) }))
        .fallback(|State(service): State<Arc<Service>>| async move { invalid_link(&service) })
        .layer(DefaultBodyLimit::max(service.config.max_body_bytes))
        .layer(middleware::map_response_with_state(service.clone(), security_headers))
        .layer(middleware::from_fn_with_state(service.clone(), log_request))
        .with_state(service)
}

async fn security_headers(State(service): State<Arc<Service>>, mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, service.content_security_policy.clone());
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // A personal link must not leak to other sites through the Referer header.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Logs each request (through the throttle): client, method, path without its token, status
/// and time taken.
async fn log_request(
    State(service): State<Arc<Service>>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let path = loggable_path(request.uri().path());
    let client = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    service.log.line(|| match client {
        Some(client) => tracing::info!("{client} {method} {path} {status} {millis:.1} ms"),
        None => tracing::info!("{method} {path} {status} {millis:.1} ms"),
    });
    response
}

/// A request path fit for the log: a personal token never appears (`/s/…`), and a path
/// that is none of the service's is shortened to its length.
fn loggable_path(path: &str) -> String {
    const FIXED: [&str; 4] = ["/", "/healthz", "/api/v1/status", "/api/v1/openapi.json"];
    if FIXED.contains(&path) {
        return path.to_owned();
    }
    for personal in ["/s/", "/api/v1/s/"] {
        if path.starts_with(personal) {
            return format!("{personal}…");
        }
    }
    format!("(another path of {} bytes)", path.len())
}

/// What a token gives access to right now.
enum Access {
    /// Unknown token, another study's, a closed round's, or a deactivated expert's.
    Invalid,
    DeadlinePassed {
        language: Language,
        deadline: DateTime<Utc>,
    },
    Open(OpenRound),
}

#[derive(Debug)]
struct OpenRound {
    grant: TokenGrant,
    deadline: DateTime<Utc>,
    frozen: Arc<FrozenRound>,
}

impl OpenRound {
    /// The shared questionnaire in the expert's language: enough to check answers.
    fn questionnaire(&self) -> &Questionnaire {
        self.frozen.in_language(&self.grant.language)
    }
}

/// What the expert's page shows: their copy of the questionnaire (own previous answers
/// beside the feedback, carried-over answers filled in), the answers they saved so far in
/// this round, and the draft a refused submission left (shown over them on the page, never
/// given out as answers by the API).
struct Shown {
    questionnaire: Questionnaire,
    current: BTreeMap<ItemId, Answer>,
    draft: BTreeMap<ItemId, Answer>,
}

#[derive(Debug, thiserror::Error)]
enum ServiceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("stored data is unreadable: {0}")]
    Unreadable(String),
}

impl Service {
    /// A free read connection if there is one, else the next in turn.
    fn reader(&self) -> std::sync::MutexGuard<'_, Store> {
        for reader in &self.readers {
            if let Ok(guard) = reader.try_lock() {
                return guard;
            }
        }
        let next = self.next_reader.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % self.readers.len();
        self.readers[next].lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn access(&self, token: &str, now: DateTime<Utc>) -> Result<Access, ServiceError> {
        let store = self.reader();
        let Some(grant) = store.resolve_token(token)? else { return Ok(Access::Invalid) };
        if grant.study_id != self.config.study_id {
            return Ok(Access::Invalid);
        }
        let Some(round) = store.round(&grant.study_id, grant.round)? else { return Ok(Access::Invalid) };
        let RoundState::Open { deadline, .. } = round.state else { return Ok(Access::Invalid) };
        if now > deadline {
            let language = Language::parse(&grant.language).unwrap_or_else(|| Language::parse("en").expect("en"));
            return Ok(Access::DeadlinePassed { language, deadline });
        }
        let frozen = self.frozen_round(&store, grant.round)?;
        Ok(Access::Open(OpenRound { grant, deadline, frozen }))
    }

    fn show(&self, open: &OpenRound) -> Result<Shown, ServiceError> {
        let store = self.reader();
        let grant = &open.grant;
        let questionnaire =
            personal_questionnaire(&store, &grant.study_id, &open.frozen, &grant.expert_id, &grant.language)?;
        let current = answers_by_item(store.expert_answers(&grant.study_id, grant.round, &grant.expert_id)?)?;
        let draft = answers_by_item(store.draft(&grant.study_id, grant.round, &grant.expert_id)?)?;
        Ok(Shown { questionnaire, current, draft })
    }

    /// Keeps the valid answers of a refused web submission as the expert's draft (never
    /// counted), and the refusal in the audit log. Written on a read connection: drafts are
    /// rare, and the writer's batches are for answers that count.
    fn keep_draft(
        &self,
        open: &OpenRound,
        answers: &BTreeMap<ItemId, Answer>,
        problems: usize,
    ) -> Result<(), ServiceError> {
        let grant = &open.grant;
        let answers = answers
            .iter()
            .map(|(item, answer)| (item.to_string(), serde_json::to_value(answer).expect("answers serialise")))
            .collect();
        self.reader().save_draft(&grant.study_id, grant.round, &grant.expert_id, &answers, problems, Utc::now())?;
        Ok(())
    }

    /// A round's frozen questionnaires, parsed once.
    fn frozen_round(&self, store: &Store, round: u32) -> Result<Arc<FrozenRound>, ServiceError> {
        let mut cache = self.frozen.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(frozen) = cache.get(&round) {
            return Ok(frozen.clone());
        }
        let json = store
            .questionnaire(&self.config.study_id, round)?
            .ok_or_else(|| ServiceError::Unreadable(format!("round {round} has no questionnaire")))?;
        let frozen: Arc<FrozenRound> =
            Arc::new(serde_json::from_str(&json).map_err(|e| ServiceError::Unreadable(e.to_string()))?);
        cache.insert(round, frozen.clone());
        Ok(frozen)
    }

    /// The open round a token was last seen to open, unless its deadline has passed since.
    fn cached_grant(&self, token: &TokenHash, now: DateTime<Utc>) -> Option<Arc<OpenRound>> {
        let grants = self.grants.lock().unwrap_or_else(PoisonError::into_inner);
        grants.get(token).filter(|open| now <= open.deadline).cloned()
    }

    fn remember_grant(&self, token: TokenHash, open: Arc<OpenRound>) {
        let mut grants = self.grants.lock().unwrap_or_else(PoisonError::into_inner);
        if grants.len() >= GRANTS_CACHED {
            grants.clear();
        }
        grants.insert(token, open);
    }

    fn forget_grant(&self, token: &TokenHash) {
        self.grants.lock().unwrap_or_else(PoisonError::into_inner).remove(token);
    }

    /// Counts a request against the client's and then the token's allowance; a request the
    /// client's allowance refuses leaves no trace of its token.
    fn within_limits(&self, client: SocketAddr, token: &str) -> bool {
        self.limiter.allow(&client.ip().to_string()) && self.limiter.allow(&format!("token:{token}"))
    }
}

/// Runs the store work of a request off the async threads.
async fn blocking<T: Send + 'static>(
    service: &Arc<Service>,
    work: impl FnOnce(&Service) -> Result<T, ServiceError> + Send + 'static,
) -> Result<T, Response> {
    let worker = service.clone();
    match tokio::task::spawn_blocking(move || work(&worker)).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => {
            service.log.line(|| tracing::error!("a request could not be answered: {error}"));
            Err(unavailable())
        }
        Err(panic) => {
            service.log.line(|| tracing::error!("a request failed: {panic}"));
            Err(unavailable())
        }
    }
}

fn page(status: StatusCode, html: String) -> Response {
    (status, Html(html)).into_response()
}

fn invalid_link(service: &Service) -> Response {
    page(StatusCode::NOT_FOUND, service.invalid_link_page.clone())
}

/// What an invalid link's page says in one language: its heading and its message, naming
/// `contact` when the study has one. English for a language without words of its own.
fn invalid_link_words(language: &Language, contact: Option<&str>) -> (&'static str, String) {
    if delphi_survey::ui::is_chinese(language) {
        let write = contact.map_or_else(|| "或联系研究协调人。".to_owned(), |c| format!("或联系研究协调人：{c}。"));
        ("此链接无效", format!("链接可能有误，或该轮调查已结束。请使用最近一次邀请中的链接，{write}"))
    } else {
        let write = contact.map_or_else(
            || "write to the study coordinator.".to_owned(),
            |c| format!("write to the study coordinator: {c}."),
        );
        (
            "This link is not valid",
            format!(
                "The link may be mistyped, or its round of the study has closed. Please use the link in your \
                 latest invitation, or {write}"
            ),
        )
    }
}

/// The page of a link that opens nothing, in each of the study's languages (each text once,
/// the default language first), with the study's contact when it has one.
fn invalid_link_page(languages: &[Language], contact: Option<&str>) -> String {
    let english = Language::parse("en").expect("en");
    let languages = if languages.is_empty() { std::slice::from_ref(&english) } else { languages };
    let mut headings: Vec<&str> = Vec::new();
    let mut messages: Vec<String> = Vec::new();
    for language in languages {
        let (heading, message) = invalid_link_words(language, contact);
        if !headings.contains(&heading) {
            headings.push(heading);
            messages.push(message);
        }
    }
    let first = &languages[0];
    let page_language = if delphi_survey::ui::is_chinese(first) { first } else { &english };
    message_page(page_language, &headings.join(" · "), &messages.join(" · "))
}

fn deadline_passed(language: &Language, deadline: DateTime<Utc>) -> Response {
    let when = deadline.format("%Y-%m-%d %H:%M UTC");
    let (heading, message) = if language.is_chinese() {
        ("截止时间已过", format!("本轮已于 {when} 截止，无法再提交或修改答案。"))
    } else {
        (
            "The deadline has passed",
            format!("This round closed for answers at {when}; answers can no longer be sent or changed."),
        )
    };
    page(StatusCode::GONE, message_page(language, heading, &message))
}

async fn too_many_requests(service: &Service) -> Response {
    let response = page(
        StatusCode::TOO_MANY_REQUESTS,
        message_page(&Language::parse("en").expect("en"), "Too many requests", "Please wait a minute and try again."),
    );
    with_retry_after(service, response).await
}

async fn api_too_many_requests(service: &Service) -> Response {
    with_retry_after(service, api_error(StatusCode::TOO_MANY_REQUESTS, "too many requests; wait a minute", vec![]))
        .await
}

/// Every 429 says when to come back: when the client's window has surely ended. It comes
/// after a pause: a flooding client that waits for its answers (as an HTTP/1.1 client must)
/// then sends one request per connection per pause, and the connection caps bound its
/// connections, so a flood costs the server little (see BENCHMARKS.md, under attack).
async fn with_retry_after(service: &Service, mut response: Response) -> Response {
    tokio::time::sleep(service.config.refusal_pause).await;
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(service.limiter.window_seconds()));
    response
}

fn unavailable() -> Response {
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        message_page(
            &Language::parse("en").expect("en"),
            "Not saved",
            "Something went wrong on our side and your answers were not saved. Please try again in a moment.",
        ),
    )
}

#[derive(Debug, Deserialize)]
struct FormQuery {
    saved: Option<String>,
}

/// The open round a personal link gives access to, or the page that says why not.
async fn open_for_form(service: &Arc<Service>, client: SocketAddr, token: String) -> Result<OpenRound, Response> {
    if !service.within_limits(client, &token) {
        return Err(too_many_requests(service).await);
    }
    match blocking(service, move |s| s.access(&token, Utc::now())).await? {
        Access::Open(open) => Ok(open),
        Access::Invalid => Err(invalid_link(service)),
        Access::DeadlinePassed { language, deadline } => Err(deadline_passed(&language, deadline)),
    }
}

async fn form_page(
    State(service): State<Arc<Service>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    Query(query): Query<FormQuery>,
) -> Response {
    let open = match open_for_form(&service, client, token.clone()).await {
        Ok(open) => open,
        Err(refusal) => return refusal,
    };
    let saved = query.saved.is_some();
    let Shown { questionnaire, mut current, draft } = match blocking(&service, move |s| s.show(&open)).await {
        Ok(shown) => shown,
        Err(response) => return response,
    };
    let notice = if draft.is_empty() { saved.then_some(Notice::Saved) } else { Some(Notice::Draft) };
    current.extend(draft);
    let html = render_with_notice(&questionnaire, &format!("/s/{token}"), &current, notice.as_ref());
    page(StatusCode::OK, with_study_notice(&html, &questionnaire.language, &token, &service.config))
}

/// The form again after a refused submission: every value as the expert sent it, the
/// problems beside their questions; the valid answers kept as a draft first.
async fn show_refused(
    service: &Arc<Service>,
    open: OpenRound,
    token: &str,
    fields: Vec<(String, String)>,
    answers: BTreeMap<ItemId, Answer>,
    errors: Vec<reply::ReplyError>,
) -> Response {
    let problems = errors.len();
    let shown = match blocking(service, move |s| {
        // The page with everything typed matters more than the draft: without the draft
        // (a round closed a moment ago, a busy store) it is still shown.
        if let Err(error) = s.keep_draft(&open, &answers, problems) {
            s.log.line(|| tracing::warn!("a refused submission's draft was not kept: {error}"));
        }
        s.show(&open)
    })
    .await
    {
        Ok(shown) => shown,
        Err(response) => return response,
    };
    let q = &shown.questionnaire;
    let html = render_refused(q, &format!("/s/{token}"), &fields, &Problem::all(q, &errors));
    page(StatusCode::UNPROCESSABLE_ENTITY, with_study_notice(&html, &q.language, token, &service.config))
}

async fn form_submit(
    State(service): State<Arc<Service>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let open = match open_for_form(&service, client, token.clone()).await {
        Ok(open) => open,
        Err(refusal) => return refusal,
    };
    let reply = match reply::parse_form(open.questionnaire(), &fields) {
        Ok(reply) => reply,
        Err(errors) => {
            let (answers, _) = reply::read_form(open.questionnaire(), &fields);
            return show_refused(&service, open, &token, fields, answers, errors.0).await;
        }
    };
    match store_answers(&service, &open.grant, TokenHash::of(&token), Channel::Web, None, reply.answers).await {
        Ok(_) => Redirect::to(&format!("/s/{token}?saved=1")).into_response(),
        Err(error) => write_failure(&service, &open, &error),
    }
}

fn write_failure(service: &Service, open: &OpenRound, error: &WriteError) -> Response {
    log_write_error(service, error);
    match error {
        WriteError::Refused(Refusal::DeadlinePassed { .. }) => {
            let language = open.questionnaire().language.clone();
            deadline_passed(&language, open.deadline)
        }
        WriteError::Refused(_) => invalid_link(service),
        WriteError::Failed(_) | WriteError::Stopped => unavailable(),
    }
}

/// A failed commit (disk full, I/O error) is the coordinator's to know; a refusal by a rule
/// is an expert's ordinary business.
fn log_write_error(service: &Service, error: &WriteError) {
    if matches!(error, WriteError::Failed(_) | WriteError::Stopped) {
        service.log.line(|| tracing::error!("answers were not stored (the client was told to retry): {error}"));
    }
}

/// Hands the answers to the writer and waits for the commit.
async fn store_answers(
    service: &Service,
    grant: &TokenGrant,
    token: TokenHash,
    channel: Channel,
    source_ref: Option<String>,
    answers: BTreeMap<ItemId, Answer>,
) -> Result<delphi_store::SubmissionReceipt, WriteError> {
    // Encoded here, on the request's own thread, so the single writer does SQL only.
    let answers = answers
        .iter()
        .map(|(item, answer)| EncodedAnswer::new(item.as_str(), answer, None).expect("answers serialise"))
        .collect();
    let submission = EncodedSubmission {
        study_id: grant.study_id.clone(),
        round: grant.round,
        expert_id: grant.expert_id.clone(),
        channel,
        source_ref,
        answers,
        token: Some(token),
    };
    service.writer.submit(submission).await
}

#[derive(Debug, Serialize)]
struct ApiQuestionnaire<'a> {
    study: &'a StudyId,
    round: u32,
    deadline: String,
    language: &'a str,
    questionnaire: &'a Questionnaire,
    answers: &'a BTreeMap<ItemId, Answer>,
}

#[derive(Debug, Serialize)]
struct ApiError {
    error: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    problems: Vec<String>,
}

fn api_error(status: StatusCode, error: &str, problems: Vec<String>) -> Response {
    (status, Json(ApiError { error: error.to_owned(), problems })).into_response()
}

/// The open round a personal link gives access to, or the API's refusal.
async fn open_for_api(service: &Arc<Service>, client: SocketAddr, token: String) -> Result<OpenRound, Response> {
    if !service.within_limits(client, &token) {
        return Err(api_too_many_requests(service).await);
    }
    access_for_api(service, token).await
}

/// The open round a token gives access to, looked up in the store, or the API's refusal.
async fn access_for_api(service: &Arc<Service>, token: String) -> Result<OpenRound, Response> {
    match blocking(service, move |s| s.access(&token, Utc::now())).await? {
        Access::Open(open) => Ok(open),
        Access::Invalid => {
            Err(api_error(StatusCode::NOT_FOUND, "this link is not valid, or its round has closed", vec![]))
        }
        Access::DeadlinePassed { deadline, .. } => {
            Err(api_error(StatusCode::GONE, &format!("the deadline passed at {}", deadline.to_rfc3339()), vec![]))
        }
    }
}

async fn api_questionnaire(
    State(service): State<Arc<Service>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
) -> Response {
    let open = match open_for_api(&service, client, token).await {
        Ok(open) => open,
        Err(refusal) => return refusal,
    };
    let (grant, deadline) = (open.grant.clone(), open.deadline);
    let shown = match blocking(&service, move |s| s.show(&open)).await {
        Ok(shown) => shown,
        Err(response) => return response,
    };
    Json(ApiQuestionnaire {
        study: &grant.study_id,
        round: grant.round,
        deadline: deadline.to_rfc3339(),
        language: shown.questionnaire.language.as_str(),
        questionnaire: &shown.questionnaire,
        answers: &shown.current,
    })
    .into_response()
}

/// The JSON body of an API submission: answers by item id, as typed values.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiSubmission {
    answers: BTreeMap<String, Answer>,
}

/// What an API client is told of a stored submission. `submission` names it among the
/// expert's own submissions of the round (`r1-3`: round 1, their third), so it says nothing
/// about anyone else's; a retry that found it stored gets the same name.
#[derive(Debug, Serialize)]
struct ApiReceipt {
    submission: String,
    recorded: usize,
    duplicate: bool,
}

/// The longest idempotency key taken.
const MAX_IDEMPOTENCY_KEY: usize = 128;

/// The request's idempotency key, if it has one; a key that cannot be kept as given is
/// refused, never ignored (ignoring it would store a retry twice).
fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, UnusableIdempotencyKey> {
    let Some(value) = headers.get("idempotency-key") else { return Ok(None) };
    let key = value.to_str().ok().filter(|key| key.bytes().all(|b| b.is_ascii_graphic()));
    match key {
        Some(key) if (1..=MAX_IDEMPOTENCY_KEY).contains(&key.len()) => Ok(Some(key)),
        _ => Err(UnusableIdempotencyKey),
    }
}

#[derive(Debug, thiserror::Error)]
#[error(
    "the Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters (no spaces); nothing was stored"
)]
struct UnusableIdempotencyKey;

async fn api_submit(
    State(service): State<Arc<Service>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body: ApiSubmission = match json_body(&headers, body).await {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    let idempotency = match idempotency_key(&headers) {
        Ok(key) => key,
        Err(unusable) => return api_error(StatusCode::BAD_REQUEST, &unusable.to_string(), vec![]),
    };
    if !service.within_limits(client, &token) {
        return api_too_many_requests(&service).await;
    }
    let hash = TokenHash::of(&token);
    let (open, cached) = match service.cached_grant(&hash, Utc::now()) {
        Some(open) => (open, true),
        None => match access_for_api(&service, token.clone()).await {
            Ok(open) => {
                let open = Arc::new(open);
                service.remember_grant(hash, open.clone());
                (open, false)
            }
            Err(refusal) => return refusal,
        },
    };
    let (answers, problems) = check_answers(open.questionnaire(), body.answers);
    if !problems.is_empty() || answers.is_empty() {
        // Say what is wrong with the answers only to a token that is valid now.
        if cached {
            service.forget_grant(&hash);
            if let Err(refusal) = access_for_api(&service, token).await {
                return refusal;
            }
        }
        let problems = if problems.is_empty() { vec!["the submission has no answers".to_owned()] } else { problems };
        return api_error(StatusCode::UNPROCESSABLE_ENTITY, "nothing was stored; fix these answers", problems);
    }
    let source_ref = idempotency.map(|key| format!("api:{}:{key}", open.grant.expert_id));
    let recorded = answers.len();
    let outcome = store_answers(&service, &open.grant, hash, Channel::Api, source_ref, answers).await;
    if let Err(WriteError::Refused(_)) = outcome {
        service.forget_grant(&hash);
    }
    if let Err(error) = &outcome {
        log_write_error(&service, error);
    }
    match outcome {
        Ok(receipt) => {
            let (grant, id) = (open.grant.clone(), receipt.submission_id);
            let number = blocking(&service, move |s| {
                Ok(s.reader().expert_submission_number(&grant.study_id, grant.round, &grant.expert_id, id)?)
            })
            .await;
            match number {
                Ok(number) => Json(ApiReceipt {
                    submission: format!("r{}-{number}", open.grant.round),
                    recorded,
                    duplicate: receipt.duplicate,
                })
                .into_response(),
                Err(_) => api_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the answers are stored, but their receipt could not be read; send them again with the same Idempotency-Key to get it",
                    vec![],
                ),
            }
        }
        Err(WriteError::Refused(Refusal::DeadlinePassed { deadline, .. })) => {
            api_error(StatusCode::GONE, &format!("the deadline passed at {}", deadline.to_rfc3339()), vec![])
        }
        Err(WriteError::Refused(_)) => {
            api_error(StatusCode::NOT_FOUND, "this link is not valid, or its round has closed", vec![])
        }
        Err(error) => {
            api_error(StatusCode::SERVICE_UNAVAILABLE, &format!("{error}; nothing was stored, try again"), vec![])
        }
    }
}

/// A JSON request body. Parsed with serde_json directly when that works (axum's `Json`
/// tracks the path of every field as it goes: 8 % of the server's CPU per submission under
/// load); on any problem, or another content type, axum's own extractor decides, so
/// refusals (400, 415, 422 and their messages) stay exactly as they were.
async fn json_body<T: serde::de::DeserializeOwned>(headers: &HeaderMap, body: Bytes) -> Result<T, Response> {
    let plain_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("application/json"));
    if plain_json && let Ok(value) = serde_json::from_slice(&body) {
        return Ok(value);
    }
    let mut request = axum::http::Request::new(axum::body::Body::from(body));
    *request.headers_mut() = headers.clone();
    match Json::<T>::from_request(request, &()).await {
        Ok(Json(value)) => Ok(value),
        Err(rejection) => Err(rejection.into_response()),
    }
}

/// Every answer checked against its item; all problems, or the answers.
fn check_answers(q: &Questionnaire, answers: BTreeMap<String, Answer>) -> (BTreeMap<ItemId, Answer>, Vec<String>) {
    let mut valid = BTreeMap::new();
    let mut problems = Vec::new();
    for (id, answer) in answers {
        match q.items.iter().find(|item| item.id.as_str() == id) {
            None => problems.push(format!("{id} is not an item of this round")),
            Some(item) => match validate(&item.answer, &answer) {
                Ok(()) => {
                    valid.insert(item.id.clone(), answer);
                }
                Err(error) => problems.push(format!("item {id}: {error}")),
            },
        }
    }
    (valid, problems)
}

async fn api_status(
    State(service): State<Arc<Service>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let Some(expected) = service.coordinator_token_sha256 else { return invalid_link(&service) };
    // Every attempt counts, a wrong token too: guessing goes at the client's allowance.
    if !service.limiter.allow(&format!("status:{}", client.ip())) {
        return api_too_many_requests(&service).await;
    }
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        // the scheme is case-insensitive (RFC 7235)
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token)
        .unwrap_or_default();
    let presented: [u8; 32] = Sha256::digest(presented.trim().as_bytes()).into();
    if !bool::from(presented.ct_eq(&expected)) {
        let mut response = api_error(StatusCode::UNAUTHORIZED, "a coordinator token is needed", vec![]);
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return response;
    }
    let status = blocking(&service, |s| {
        let store = s.reader();
        let rounds = store.status(&s.config.study_id, &s.config.group_attributes)?;
        Ok(rounds.iter().map(delphi_store::RoundStatus::to_json).collect::<Vec<_>>())
    })
    .await;
    match status {
        Ok(rounds) => Json(serde_json::json!({ "study": service.config.study_id, "rounds": rounds })).into_response(),
        Err(response) => response,
    }
}

/// The form page with what the letters say about the study above the form: the privacy
/// statement and that a first answer consents to it, whom to write to, and the way out.
/// Put in here rather than by the form's renderer, which knows questionnaires only.
fn with_study_notice(form_page: &str, language: &Language, token: &str, config: &ServiceConfig) -> String {
    let Some(at) = form_page.find("<form") else { return form_page.to_owned() };
    let chinese = delphi_survey::ui::is_chinese(language);
    let mut notice = String::from("<section class=\"study-notice\">\n");
    if let Some(privacy) = &config.privacy {
        let (heading, consent) = if chinese {
            ("您的回答与隐私", "首次提交本问卷即表示您同意上述声明；我们会记录同意的时间。")
        } else {
            (
                "Your answers and your privacy",
                "Sending this form for the first time counts as your consent to this statement; we record the time.",
            )
        };
        notice.push_str(&format!(
            "<h2>{}</h2>\n<p>{}</p>\n<p>{}</p>\n",
            escape(heading),
            escape(privacy.get(language, language)),
            escape(consent)
        ));
    }
    if let Some(contact) = &config.contact {
        let line = if chinese {
            format!("如有疑问，请联系研究协调人：{contact}。")
        } else {
            format!("Questions? Write to the study's coordinator: {contact}.")
        };
        notice.push_str(&format!("<p>{}</p>\n", escape(&line)));
    }
    let withdraw = if chinese { "退出本研究" } else { "Withdraw from the study" };
    notice.push_str(&format!(
        "<p><a href=\"/s/{}/withdraw\">{}</a></p>\n</section>\n",
        escape(token),
        escape(withdraw)
    ));
    format!("{}{notice}{}", &form_page[..at], &form_page[at..])
}

/// Where an opt-out link stands.
enum OptOut {
    Invalid,
    /// Not withdrawn yet: the page asks to confirm.
    Open {
        language: Language,
    },
    Withdrawn {
        language: Language,
        at: DateTime<Utc>,
    },
}

impl Service {
    /// The expert an opt-out link names, and whether they have withdrawn; with `confirm`,
    /// withdraws them. Any token ever issued to them works, of any round: the way out stays
    /// open after a round has closed or a newer link replaced theirs.
    fn opt_out(&self, token: &str, confirm: bool, now: DateTime<Utc>) -> Result<OptOut, ServiceError> {
        let mut store = self.reader();
        let Some((study_id, expert_id, language)) = store.expert_of_any_token(&TokenHash::of(token))? else {
            return Ok(OptOut::Invalid);
        };
        if study_id != self.config.study_id {
            return Ok(OptOut::Invalid);
        }
        let language = Language::parse(&language).unwrap_or_else(|| Language::parse("en").expect("en"));
        if let Some(earlier) = store.withdrawal(&study_id, &expert_id)? {
            return Ok(OptOut::Withdrawn { language, at: earlier.at });
        }
        if !confirm {
            return Ok(OptOut::Open { language });
        }
        let outcome = store.withdraw(&study_id, &expert_id, self.config.withdrawal, WithdrawnBy::Expert, now)?;
        // Cached grants of this expert's tokens would only be refused by the writer; drop them.
        self.grants.lock().unwrap_or_else(PoisonError::into_inner).retain(|_, open| open.grant.expert_id != expert_id);
        let (WithdrawalOutcome::Withdrawn(withdrawn) | WithdrawalOutcome::Already(withdrawn)) = outcome;
        Ok(OptOut::Withdrawn { language, at: withdrawn.at })
    }
}

/// The words of the opt-out pages: heading, text, the button's label.
fn opt_out_words(language: &Language) -> [&'static str; 5] {
    if delphi_survey::ui::is_chinese(language) {
        [
            "退出本研究",
            "确认后，您将退出本研究：不会再收到任何邀请或提醒，您的个人链接也将失效。",
            "确认退出",
            "您已退出本研究",
            "您已于 {at} 退出本研究，今后不会再收到关于本研究的邮件。谢谢您的参与。",
        ]
    } else {
        [
            "Withdraw from the study",
            "If you confirm, you leave the study: you will receive no more invitations or reminders, and your \
             personal links stop working.",
            "Confirm: withdraw from the study",
            "You have withdrawn from the study",
            "You withdrew from the study on {at}. You will receive no more messages about it. Thank you for \
             taking part.",
        ]
    }
}

/// The confirmation page: a button that sends a POST. A GET changes nothing, so a mail
/// gateway or a preview that fetches every link in a message cannot withdraw anyone.
fn opt_out_confirmation(language: &Language, token: &str, rule: Withdrawal, contact: Option<&str>) -> String {
    let [heading, text, button, ..] = opt_out_words(language);
    let chinese = delphi_survey::ui::is_chinese(language);
    let answers = match (rule, chinese) {
        (Withdrawal::KeepAnswers, false) => "The answers you have already given stay in the study, without your name.",
        (Withdrawal::RemoveAnswers, false) => {
            "Your answers to rounds that have not closed yet will no longer count; rounds already closed and \
             reported stay as they are."
        }
        (Withdrawal::KeepAnswers, true) => "您已提交的回答将以匿名方式保留在研究中。",
        (Withdrawal::RemoveAnswers, true) => "您在尚未结束的轮次中的回答将不再计入；已结束并已报告的轮次保持不变。",
    };
    let contact = contact.map_or_else(String::new, |c| {
        let line = if chinese {
            format!("如有疑问，请联系研究协调人：{c}。")
        } else {
            format!("Questions? Write to the study's coordinator: {c}.")
        };
        format!("<p>{}</p>\n", escape(&line))
    });
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{heading}</title>\n<style>{style}</style>\n</head>\n<body>\n<main>\n<h1>{heading}</h1>\n\
         <p>{text}</p>\n<p>{answers}</p>\n{contact}\
         <form method=\"post\" action=\"/s/{token}/withdraw\">\n\
         <input type=\"hidden\" name=\"confirm\" value=\"withdraw\">\n\
         <button type=\"submit\">{button}</button>\n</form>\n</main>\n</body>\n</html>\n",
        lang = escape(language.as_str()),
        heading = escape(heading),
        style = stylesheet(),
        text = escape(text),
        answers = escape(answers),
        token = escape(token),
        button = escape(button),
    )
}

fn opt_out_response(service: &Service, token: &str, outcome: OptOut) -> Response {
    match outcome {
        OptOut::Invalid => invalid_link(service),
        OptOut::Open { language } => page(
            StatusCode::OK,
            opt_out_confirmation(&language, token, service.config.withdrawal, service.config.contact.as_deref()),
        ),
        OptOut::Withdrawn { language, at } => {
            let [.., heading, text] = opt_out_words(&language);
            let at = at.format("%Y-%m-%d %H:%M UTC").to_string();
            page(StatusCode::OK, message_page(&language, heading, &delphi_survey::ui::fill(text, &[("at", &at)])))
        }
    }
}

async fn withdraw_page(
    State(service): State<Arc<Service>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
) -> Response {
    opt_out(&service, client, token, false).await
}

async fn withdraw_confirmed(
    State(service): State<Arc<Service>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
) -> Response {
    opt_out(&service, client, token, true).await
}

/// The opt-out page of a personal link: only a confirming POST (`confirmed`) withdraws.
async fn opt_out(service: &Arc<Service>, client: SocketAddr, token: String, confirmed: bool) -> Response {
    if !service.within_limits(client, &token) {
        return too_many_requests(service).await;
    }
    let looked_up = token.clone();
    match blocking(service, move |s| s.opt_out(&looked_up, confirmed, Utc::now())).await {
        Ok(outcome) => opt_out_response(service, &token, outcome),
        Err(response) => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn languages(codes: &[&str]) -> Vec<Language> {
        codes.iter().map(|c| Language::parse(c).unwrap()).collect()
    }

    /// An API client reads the questionnaire by the OpenAPI document: every field an item
    /// can carry, the carried-over answer (`prefill`) among them, is described there.
    #[test]
    fn every_field_of_a_questionnaire_item_the_api_returns_is_documented() {
        let study = delphi_core::Study::from_toml(
            include_str!("../../../surveys/ai-safety-cooperation.toml"),
            "ai-safety-cooperation.toml",
        )
        .unwrap();
        let frozen = FrozenRound::build(&study, 1, None).unwrap();
        let mut item = frozen.in_language("en").items[0].clone();
        item.prefill = Some(Answer::Ordinal { point: 5 });
        item.continues = Some(item.id.clone());
        item.feedback = Some(delphi_survey::feedback::ItemFeedback::default());
        let returned = serde_json::to_value(&item).unwrap();
        let spec: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        let documented = &spec["components"]["schemas"]["Questionnaire"]["properties"]["questionnaire"]["properties"]["items"]
            ["items"]["properties"];
        for field in returned.as_object().unwrap().keys() {
            assert!(documented.get(field).is_some(), "the item field `{field}` is not in openapi.json");
        }
    }

    #[test]
    fn the_invalid_link_page_speaks_each_language_of_the_study_once_and_escapes_the_contact() {
        let chinese_only = invalid_link_page(&languages(&["zh"]), None);
        assert!(chinese_only.contains("此链接无效") && !chinese_only.contains("not valid"), "{chinese_only}");
        assert!(chinese_only.contains("lang=\"zh\""));
        // French has no words of its own yet: English once, not twice.
        let english_french = invalid_link_page(&languages(&["fr", "en"]), Some("Ana <ana@example.org>"));
        assert_eq!(english_french.matches("This link is not valid").count(), 2, "title and heading");
        assert!(english_french.contains("lang=\"en\""));
        assert!(english_french.contains("Ana &lt;ana@example.org&gt;"), "{english_french}");
        let both = invalid_link_page(&languages(&["zh", "en"]), Some("王老师 <wang@example.cn>"));
        assert!(both.contains("此链接无效 · This link is not valid"), "the default language first: {both}");
        assert!(both.contains("联系研究协调人：王老师"), "{both}");
    }
}
