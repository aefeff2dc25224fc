//! Sign-in by redirect (Google, Apple): the provider URL with its `state`, and the
//! callback.

use super::{obj, AuthResult, Client};
use crate::core::config::{invalid, is_http_url};
use crate::core::error::{AuthError, Endpoint, ErrorCode};
use crate::core::json::Json;
use crate::core::oauth::{self, Flow, FLOW_KEY};
use crate::core::ports::{
    encode_component, Body, Clock, CrossTab, Events, Method, Store, Transport,
};

impl<T: Transport, S: Store, C: Clock, E: Events, X: CrossTab> Client<T, S, C, E, X> {
    // ----- sign-in by redirect ------------------------------------------------------

    /// Asks the server for the provider's URL, adds `state`, and remembers the flow in
    /// `flows` (the tab's `sessionStorage`) for the callback to check.
    pub async fn oauth_url(
        &self,
        provider: &str,
        redirect_uri: &str,
        state: &str,
        flows: &impl Store,
    ) -> Result<String, AuthError> {
        if !oauth::PROVIDERS.contains(&provider) {
            return Err(invalid("provider must be \"google\" or \"apple\"."));
        }
        if !is_http_url(redirect_uri) {
            return Err(invalid("redirectUri must be an absolute http(s) URL."));
        }
        let mut path = String::from("/oauth/");
        path.push_str(provider);
        path.push_str("?redirect_uri=");
        path.push_str(&encode_component(redirect_uri));
        let (j, _) = self
            .call(
                Endpoint::OAuthUrl,
                self.request(Method::Get, &path, None, Body::Empty),
            )
            .await?;
        let url = j.str_at("url").filter(|u| is_http_url(u));
        let Some(url) = url else {
            return Err(AuthError::new(ErrorCode::BadResponse));
        };
        let flow = Flow {
            state: state.to_owned(),
            provider: provider.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            created_at: self.clock.now_ms(),
        };
        let list = oauth::push_flow(oauth::read_flows(flows.get(FLOW_KEY).as_deref()), flow);
        flows.set(FLOW_KEY, &oauth::write_flows(&list));
        Ok(oauth::with_state(url, state))
    }

    /// Finishes a redirect sign-in from the callback URL: `None` when the URL carries no
    /// OAuth answer. The `state` must name a flow started in this tab within 10 minutes,
    /// and is used up either way. A failure leaves the session already held untouched.
    pub async fn handle_callback(
        &self,
        url: &str,
        flows: &impl Store,
    ) -> Result<Option<AuthResult>, AuthError> {
        let Some(cb) = oauth::parse_callback(url) else {
            return Ok(None);
        };
        let stored = oauth::read_flows(flows.get(FLOW_KEY).as_deref());
        let (flow, rest) = oauth::take_flow(stored, cb.state.as_deref(), self.clock.now_ms());
        if rest.is_empty() {
            flows.remove(FLOW_KEY);
        } else {
            flows.set(FLOW_KEY, &oauth::write_flows(&rest));
        }
        let Some(flow) = flow else {
            return Err(AuthError::new(ErrorCode::OAuthStateMismatch));
        };
        if let Some(error) = cb.error {
            let mut e = match cb.error_description.as_deref().filter(|d| !d.is_empty()) {
                Some(d) => AuthError::with_message(ErrorCode::OAuthDenied, d),
                None => AuthError::new(ErrorCode::OAuthDenied),
            };
            e.detail = Some(Json::Str(error));
            return Err(e);
        }
        let Some(code) = cb.code.filter(|c| !c.is_empty()) else {
            return Err(AuthError::new(ErrorCode::OAuthInvalidCallback));
        };
        let mut path = String::from("/verify-");
        path.push_str(&flow.provider);
        path.push_str("-login");
        let body = obj(vec![
            ("code", Json::Str(code)),
            ("redirect_uri", Json::Str(flow.redirect_uri)),
        ]);
        let req = self.request(Method::Post, &path, None, Body::Json(body.to_json()));
        let (j, res) = self.call(Endpoint::OAuthVerify, req).await?;
        self.auth_result(&j, &res).map(Some)
    }
}
