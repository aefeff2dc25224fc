//! The stand-in provider's pages: the consent form, its submission (back to the app
//! with a code, or with `error=access_denied`), and the made-up profile pictures.

use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use cocobase_auth::validate::validate_email;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::auth::MAX_EMAIL;
use super::oauth::{check_redirect, code_hash, last, provider_in, CODE_TTL_SECS};
use crate::db::OAuthGrant;
use crate::error::{provider_label, ApiError};
use crate::random;
use crate::state::AppState;
use crate::url::{origin_of, with_query};

const MAX_NAME: usize = 200;

/// HTML-escapes text for element content and quoted attributes.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn consent_html(
    state: &AppState,
    provider: &str,
    redirect_uri: &str,
    oauth_state: &str,
    error: Option<&str>,
    email: &str,
    name: &str,
) -> Result<String, ApiError> {
    let label = esc(&provider_label(provider));
    let action = format!("/__emulator/oauth/{provider}/authorize");
    let hidden = format!(
        r#"<input type="hidden" name="redirect_uri" value="{}"><input type="hidden" name="state" value="{}">"#,
        esc(redirect_uri),
        esc(oauth_state)
    );
    let target = origin_of(redirect_uri).unwrap_or_default();
    let mut accounts = String::new();
    for u in state.db.oauth_accounts(provider, 20)? {
        let shown = u.data.get("name").and_then(Value::as_str).unwrap_or("");
        accounts.push_str(&format!(
            r#"<li><form method="post" action="{action}">{hidden}<button type="submit" name="pick" value="{email}" class="account"><b>{shown}</b> {email}</button></form></li>"#,
            email = esc(&u.email),
            shown = esc(shown),
        ));
    }
    let accounts = if accounts.is_empty() {
        String::new()
    } else {
        format!("<h2>Or continue as</h2><ul class=\"accounts\">{accounts}</ul>")
    };
    let error = error
        .map(|e| format!(r#"<p class="error" role="alert">{}</p>"#, esc(e)))
        .unwrap_or_default();
    Ok(format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in with {label} (Cocobase emulator)</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}}
label{{display:block;margin:.75rem 0}}input{{display:block;width:100%;padding:.5rem;box-sizing:border-box}}
button{{padding:.5rem 1rem;margin-right:.5rem}}.error{{color:#b00020}}.note{{color:#666;font-size:.9rem}}
ul.accounts{{list-style:none;padding:0}}button.account{{width:100%;text-align:left;margin:.25rem 0}}</style></head>
<body><h1>Sign in with {label}</h1>
<p class="note">This is the Cocobase emulator's stand-in for {label}: no real account is used.
You will be sent back to <code>{target}</code>.</p>
{error}
<form method="post" action="{action}">{hidden}
<label>Email <input type="email" name="email" required maxlength="254" value="{email}" autocomplete="off"></label>
<label>Name <input type="text" name="name" maxlength="200" value="{name}" autocomplete="off"></label>
<button type="submit" name="decision" value="allow">Continue</button>
<button type="submit" name="decision" value="deny" formnovalidate>Cancel</button>
</form>
{accounts}
</body></html>"#,
        target = esc(&target),
        email = esc(email),
        name = esc(name),
    ))
}

/// An HTML answer that runs no script and cannot be framed.
pub(crate) fn html_response(status: StatusCode, body: String) -> Response {
    let mut res = (status, Html(body)).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        // No form-action: browsers apply it to the 303 that follows, which goes to the app.
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// `GET /__emulator/oauth/{provider}/authorize?redirect_uri=&state=`: the consent page.
pub async fn consent_page(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let provider = provider_in(name)?;
    let Query(params) = query.map_err(|_| ApiError::BadRedirect("malformed query string"))?;
    let redirect_uri = last(&params, "redirect_uri").unwrap_or("");
    check_redirect(&state, redirect_uri)?;
    let oauth_state = last(&params, "state").unwrap_or("");
    let page = consent_html(&state, provider, redirect_uri, oauth_state, None, "", "")?;
    Ok(html_response(StatusCode::OK, page))
}

/// `POST /__emulator/oauth/{provider}/authorize`: back to `redirect_uri` with a fresh
/// `code` (or `error=access_denied`) and the client's `state`.
pub async fn consent_submit(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, ApiError> {
    let provider = provider_in(name)?;
    let Form(params) = form.map_err(|_| {
        ApiError::UnsupportedMediaType("Send the consent form as application/x-www-form-urlencoded")
    })?;
    let redirect_uri = last(&params, "redirect_uri").unwrap_or("");
    check_redirect(&state, redirect_uri)?;
    let oauth_state = last(&params, "state").unwrap_or("");
    let mut back: Vec<(&str, &str)> = Vec::new();
    if last(&params, "decision") == Some("deny") {
        back.push(("error", "access_denied"));
        if !oauth_state.is_empty() {
            back.push(("state", oauth_state));
        }
        return Ok(Redirect::to(&with_query(redirect_uri, &back)).into_response());
    }
    let picked = last(&params, "pick").filter(|p| !p.is_empty());
    let email = picked.or(last(&params, "email")).unwrap_or("").trim();
    let typed_name = last(&params, "name").unwrap_or("").trim();
    let report = validate_email(email);
    if email.chars().count() > MAX_EMAIL || !report.valid || typed_name.chars().count() > MAX_NAME {
        let why = if typed_name.chars().count() > MAX_NAME {
            "The name is too long.".to_string()
        } else {
            report
                .errors
                .iter()
                .map(|i| i.message())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let why = if why.is_empty() {
            "Enter a valid email address.".to_string()
        } else {
            why
        };
        let page = consent_html(
            &state,
            provider,
            redirect_uri,
            oauth_state,
            Some(&why),
            email,
            typed_name,
        )?;
        return Ok(html_response(StatusCode::BAD_REQUEST, page));
    }
    let existing = state.db.user_by_email(email)?;
    let name = match (typed_name, &existing) {
        ("", Some(u)) => u
            .data
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        ("", None) => email.split('@').next().unwrap_or("").to_string(),
        (n, _) => n.to_string(),
    };
    let code = random::hex(&random::bytes::<32>());
    let now = state.clock.now_secs();
    state.db.insert_code(
        &code_hash(&code),
        &OAuthGrant {
            provider: provider.to_string(),
            redirect_uri: redirect_uri.to_string(),
            email: email.to_string(),
            name,
            expires_at: now + CODE_TTL_SECS,
        },
        now,
    )?;
    back.push(("code", &code));
    if !oauth_state.is_empty() {
        back.push(("state", oauth_state));
    }
    Ok(Redirect::to(&with_query(redirect_uri, &back)).into_response())
}

/// `GET /__emulator/avatar?name=`: the made-up profile picture, an initial on a colour
/// derived from the name.
pub async fn avatar(query: Result<Query<Vec<(String, String)>>, QueryRejection>) -> Response {
    let name = query
        .ok()
        .and_then(|Query(p)| last(&p, "name").map(String::from))
        .unwrap_or_default();
    let initial: String = name
        .chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_else(|| "?".into());
    let hue = Sha256::digest(name.as_bytes())[0] as u32 * 360 / 256;
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96"><rect width="96" height="96" rx="48" fill="hsl({hue},55%,45%)"/><text x="48" y="62" font-family="sans-serif" font-size="44" text-anchor="middle" fill="#fff">{}</text></svg>"##,
        esc(&initial)
    );
    let mut res = svg.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    res
}
