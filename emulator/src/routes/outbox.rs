//! `GET`/`DELETE /__emulator/outbox` (no key): the mails the emulator would have sent.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::oauth::last;
use crate::state::AppState;

/// `GET /__emulator/outbox?to=EMAIL`: `{messages}`, oldest first; without `to`, all.
pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Json<Value> {
    let params = query.map(|Query(p)| p).unwrap_or_default();
    let to = last(&params, "to").filter(|t| !t.trim().is_empty());
    Json(json!({ "messages": state.outbox.list(to) }))
}

/// `DELETE /__emulator/outbox`: empties it.
pub async fn clear(State(state): State<AppState>) -> StatusCode {
    state.outbox.clear();
    StatusCode::NO_CONTENT
}
