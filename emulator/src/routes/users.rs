//! The signed-in user (`GET`/`PATCH /user`) and the user list and profiles.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Map, Value};

use super::auth::{check_email, MAX_EMAIL};
use super::{files, public_profile, user_json};
use crate::db::UserQuery;
use crate::error::{ApiError, FieldError};
use crate::extract::{ApiKey, BodyWithFiles, CurrentUser, Fields};
use crate::random::is_uuid;
use crate::state::AppState;
use crate::update::{self, DataPatch};

/// `GET /user`.
pub async fn me(
    State(state): State<AppState>,
    _key: ApiKey,
    CurrentUser(user): CurrentUser,
) -> Json<Value> {
    Json(user_json(&user, &state))
}

/// An `$append`/`$remove` operand: a JSON object, or a 422 at `loc`.
fn operand(
    v: Option<&Value>,
    loc: &[&str],
    errors: &mut Vec<FieldError>,
) -> Option<Map<String, Value>> {
    match v? {
        Value::Null => None,
        Value::Object(m) => Some(m.clone()),
        _ => {
            errors.push(FieldError::at(
                loc,
                "Input should be a valid dictionary of field: item or [items]",
                "dict_type",
            ));
            None
        }
    }
}

/// `PATCH /user`: JSON `{data?, email?}` (with `$append`/`$remove` inside `data` or at
/// the top level), or multipart with file parts. Roles are ignored; a password is
/// refused (that is change-password's job).
pub async fn update_me(
    State(state): State<AppState>,
    _key: ApiKey,
    headers: HeaderMap,
    CurrentUser(user): CurrentUser,
    body: BodyWithFiles,
) -> Result<Json<Value>, ApiError> {
    let fields = &body.fields;
    if fields.get("password").is_some_and(|v| !v.is_null()) {
        return Err(ApiError::PasswordViaPatch);
    }
    let mut f = Fields::new(fields);
    let email = f.optional_str("email", MAX_EMAIL);
    let data = f.optional_object("data");
    if let Some(email) = email {
        check_email(&mut f, "email", email);
    }
    let mut errors = Vec::new();
    let mut patch = DataPatch::default();
    for (name, list) in [
        ("$remove", &mut patch.remove),
        ("$append", &mut patch.append),
    ] {
        list.extend(operand(
            data.and_then(|d| d.get(name)),
            &["body", "data", name],
            &mut errors,
        ));
        list.extend(operand(fields.get(name), &["body", name], &mut errors));
    }
    for e in errors {
        f.push(e);
    }
    f.finish()?;
    if let Some(data) = data {
        patch.set = data
            .iter()
            .filter(|(k, _)| *k != "$append" && *k != "$remove")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
    }
    let stored = files::store_all(&state, &headers, &body.files).await?;
    patch.set.extend(files::urls_by_field(&stored));
    let result = state.db.update_user(&user.id, |u| {
        update::apply(&mut u.data, &patch);
        if let Some(email) = email {
            // A new address is not verified (and links mailed to the old one die).
            if crate::db::email_key(email) != crate::db::email_key(&u.email) {
                u.email_verified = false;
                u.email_verified_at = None;
            }
            u.email = email.to_string();
        }
        Ok(())
    });
    match result {
        Ok(Some(updated)) => Ok(Json(user_json(&updated, &state))),
        Ok(None) => {
            files::remove_all(&stored).await;
            Err(ApiError::Token(crate::error::TokenError::Invalid))
        }
        Err(e) => {
            files::remove_all(&stored).await;
            Err(e)
        }
    }
}

fn query_error(name: &str, msg: impl Into<String>, kind: &str) -> ApiError {
    ApiError::Validation(vec![FieldError::at(&["query", name], msg, kind)])
}

/// `GET /users`: `limit` (1..=500, default 50), `offset`, `role`, `email_contains`,
/// `sort` (`created_at` or `email`), `order` (`asc`/`desc`, default `desc`). Other
/// parameters (the hosted service's filters) are ignored.
pub async fn list(
    State(state): State<AppState>,
    _key: ApiKey,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(params) =
        query.map_err(|_| query_error("query", "Malformed query string", "query_invalid"))?;
    let get = |k: &str| {
        params
            .iter()
            .rev()
            .find(|(name, _)| name == k)
            .map(|(_, v)| v.as_str())
    };
    let mut q = UserQuery {
        limit: 50,
        ..UserQuery::default()
    };
    if let Some(v) = get("limit") {
        let n: i64 = v
            .parse()
            .map_err(|_| query_error("limit", "Input should be a valid integer", "int_parsing"))?;
        if !(1..=500).contains(&n) {
            return Err(query_error(
                "limit",
                "Input should be between 1 and 500",
                if n < 1 {
                    "greater_than_equal"
                } else {
                    "less_than_equal"
                },
            ));
        }
        q.limit = n as u32;
    }
    if let Some(v) = get("offset") {
        let n: i64 = v
            .parse()
            .map_err(|_| query_error("offset", "Input should be a valid integer", "int_parsing"))?;
        if n < 0 {
            return Err(query_error(
                "offset",
                "Input should be greater than or equal to 0",
                "greater_than_equal",
            ));
        }
        q.offset = n as u64;
    }
    q.role = get("role").filter(|r| !r.is_empty()).map(String::from);
    q.email_contains = get("email_contains")
        .filter(|r| !r.is_empty())
        .map(String::from);
    // Like the hosted service, an unknown sort column falls back to created_at.
    q.sort_by_email = get("sort") == Some("email");
    q.ascending = match get("order") {
        None | Some("desc") => false,
        Some("asc") => true,
        Some(_) => {
            return Err(query_error(
                "order",
                "Input should be 'asc' or 'desc'",
                "literal_error",
            ))
        }
    };
    let (rows, total) = state.db.list_users(&q)?;
    let has_more = q.offset + (rows.len() as u64) < total;
    let data: Vec<Value> = rows.iter().map(|u| user_json(u, &state)).collect();
    Ok(Json(json!({
        "data": data,
        "total": total,
        "limit": q.limit,
        "offset": q.offset,
        "has_more": has_more,
    })))
}

/// `GET /users/{id}`: the public profile; any unknown or malformed id is a 404.
pub async fn by_id(
    State(state): State<AppState>,
    _key: ApiKey,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Ok(Path(id)) = id else {
        return Err(ApiError::UserNotFound);
    };
    if !is_uuid(&id) {
        return Err(ApiError::UserNotFound);
    }
    let user = state
        .db
        .user_by_id(&id.to_ascii_lowercase())?
        .ok_or(ApiError::UserNotFound)?;
    Ok(Json(public_profile(&user)))
}
