//! Accounts and users: sign-up, login, logout, the current user and its updates,
//! password change, and other users.

use super::{obj, AuthResult, Client, ListQuery, UserUpdate};
use crate::core::error::{AuthError, Endpoint, ErrorCode, FieldError};
use crate::core::json::{itoa, Json};
use crate::core::ports::{
    encode_component, AuthEvent, Body, Clock, CrossTab, Events, Method, SignOutReason, Store,
    Transport,
};
use crate::core::session::{is_user, public_user_shape, user_shape};
use crate::validate::{validate_email, validate_password};

impl<T: Transport, S: Store, C: Clock, E: Events, X: CrossTab> Client<T, S, C, E, X> {
    // ----- account -----------------------------------------------------------------

    fn check_credentials(&self, email: &str, password: &str) -> Result<(), AuthError> {
        let policy = &self.config.password_policy;
        let password = validate_password(password, policy, Some(email)).errors;
        match AuthError::from_checks(vec![
            ("email", validate_email(email).errors),
            ("password", password),
        ]) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn signup_body(
        email: &str,
        password: &str,
        data: Option<Json>,
        roles: Option<Vec<String>>,
    ) -> Json {
        let mut members = vec![
            ("email", Json::str(email)),
            ("password", Json::str(password)),
        ];
        if let Some(d) = data {
            members.push(("data", d));
        }
        if let Some(r) = roles {
            members.push(("roles", Json::Arr(r.iter().map(|x| Json::str(x)).collect())));
        }
        obj(members)
    }

    /// `POST /signup`; nothing is sent when the email or password fails local checks.
    pub async fn signup(
        &self,
        email: &str,
        password: &str,
        data: Option<Json>,
        roles: Option<Vec<String>>,
    ) -> Result<AuthResult, AuthError> {
        self.check_credentials(email, password)?;
        let body = Body::Json(Self::signup_body(email, password, data, roles).to_json());
        let (j, res) = self
            .call(
                Endpoint::Signup,
                self.request(Method::Post, "/signup", None, body),
            )
            .await?;
        self.auth_result(&j, &res)
    }

    /// Multipart `POST /signup`: field `data` carries the JSON, then the files.
    pub async fn signup_with_files(
        &self,
        email: &str,
        password: &str,
        data: Option<Json>,
        files: Vec<(String, T::File)>,
    ) -> Result<AuthResult, AuthError> {
        self.check_credentials(email, password)?;
        let body = Body::Multipart {
            data: Self::signup_body(email, password, data, None).to_json(),
            files,
        };
        let (j, res) = self
            .call(
                Endpoint::Signup,
                self.request(Method::Post, "/signup", None, body),
            )
            .await?;
        self.auth_result(&j, &res)
    }

    pub async fn login(&self, email: &str, password: &str) -> Result<AuthResult, AuthError> {
        if email.is_empty() || password.is_empty() {
            let mut fields = Vec::new();
            for (name, value) in [("email", email), ("password", password)] {
                if value.is_empty() {
                    let reason = FieldError {
                        code: "empty".into(),
                        message: "This field is required.".into(),
                    };
                    fields.push((name.to_owned(), vec![reason]));
                }
            }
            return Err(AuthError::fields(fields));
        }
        let body = obj(vec![
            ("email", Json::str(email)),
            ("password", Json::str(password)),
        ]);
        let req = self.request(Method::Post, "/login", None, Body::Json(body.to_json()));
        let (j, res) = self.call(Endpoint::Login, req).await?;
        self.auth_result(&j, &res)
    }

    /// Signs out locally (the API has no server-side logout).
    pub fn logout(&self) {
        self.store.remove(&self.config.storage_key);
        self.end_session(SignOutReason::Logout);
    }

    // ----- the user ----------------------------------------------------------------

    /// Replaces the cached user; `USER_UPDATED` when it changed (or when `always`).
    fn adopt_user(&self, user: Json, always: bool) -> Result<Json, AuthError> {
        if !is_user(&user) {
            return Err(AuthError::new(ErrorCode::BadResponse));
        }
        let shape = user_shape(&user);
        let Some(mut s) = self.session() else {
            return Ok(shape);
        };
        if s.user_id() != user.str_at("id").unwrap_or("") {
            return Ok(shape);
        }
        if always || s.user != user {
            s.user = user;
            self.save(s, AuthEvent::UserUpdated);
        }
        Ok(shape)
    }

    /// `GET /user`: the user in the `User` shape; refreshes the cached copy.
    pub async fn get_current_user(&self) -> Result<Json, AuthError> {
        let (j, _) = self
            .user_call(Endpoint::User, Method::Get, "/user", Body::Empty)
            .await?;
        self.adopt_user(j, false)
    }

    fn update_body(update: UserUpdate) -> Json {
        let mut data = match update.data {
            Some(Json::Obj(m)) => Json::Obj(m),
            _ => Json::Obj(Vec::new()),
        };
        if let Some(a) = update.append {
            data.set("$append", a);
        }
        if let Some(r) = update.remove {
            data.set("$remove", r);
        }
        let mut members = Vec::new();
        if !matches!(&data, Json::Obj(m) if m.is_empty()) {
            members.push(("data", data));
        }
        if let Some(e) = update.email {
            members.push(("email", Json::Str(e)));
        }
        obj(members)
    }

    /// `PATCH /user` (JSON). `append`/`remove` are applied atomically by the server.
    pub async fn update_user(&self, update: UserUpdate) -> Result<Json, AuthError> {
        self.check_new_email(update.email.as_deref())?;
        let body = Body::Json(Self::update_body(update).to_json());
        let (j, _) = self
            .user_call(Endpoint::User, Method::Patch, "/user", body)
            .await?;
        self.adopt_user(j, true)
    }

    /// `PATCH /user` as multipart: field `data` holds the same JSON as `update_user`.
    pub async fn update_user_with_files(
        &self,
        update: UserUpdate,
        files: Vec<(String, T::File)>,
    ) -> Result<Json, AuthError> {
        self.check_new_email(update.email.as_deref())?;
        let body = Body::Multipart {
            data: Self::update_body(update).to_json(),
            files,
        };
        let (j, _) = self
            .user_call(Endpoint::User, Method::Patch, "/user", body)
            .await?;
        self.adopt_user(j, true)
    }

    fn check_new_email(&self, email: Option<&str>) -> Result<(), AuthError> {
        let issues = email.map(|e| validate_email(e).errors).unwrap_or_default();
        match AuthError::from_checks(vec![("email", issues)]) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn follow_update(user_id: &str, add: bool) -> UserUpdate {
        let op = Some(obj(vec![("following_ids", Json::str(user_id))]));
        if add {
            UserUpdate {
                append: op,
                ..UserUpdate::default()
            }
        } else {
            UserUpdate {
                remove: op,
                ..UserUpdate::default()
            }
        }
    }

    pub async fn follow(&self, user_id: &str) -> Result<Json, AuthError> {
        self.update_user(Self::follow_update(user_id, true)).await
    }

    pub async fn unfollow(&self, user_id: &str) -> Result<Json, AuthError> {
        self.update_user(Self::follow_update(user_id, false)).await
    }

    /// `POST /change-password`, adopting the fresh token it returns. Against a server
    /// without that endpoint: checks the current password with `login`, then
    /// `PATCH /user {password}` (API.md "Rules that hold everywhere").
    pub async fn change_password(&self, current: &str, new: &str) -> Result<(), AuthError> {
        let Some(s) = self.session() else {
            return Err(AuthError::new(ErrorCode::SessionMissing));
        };
        let email = s.user.str_at("email").unwrap_or("").to_owned();
        let issues = validate_password(new, &self.config.password_policy, Some(&email)).errors;
        if let Some(e) = AuthError::from_checks(vec![("newPassword", issues)]) {
            return Err(e);
        }
        let body = obj(vec![
            ("current_password", Json::str(current)),
            ("new_password", Json::str(new)),
        ]);
        let result = self
            .user_call(
                Endpoint::ChangePassword,
                Method::Post,
                "/change-password",
                Body::Json(body.to_json()),
            )
            .await;
        match result {
            Ok((j, res)) => {
                let token = j.str_at("access_token").filter(|t| !t.is_empty());
                let Some(token) = token else {
                    return Err(AuthError::new(ErrorCode::BadResponse));
                };
                let answer = obj(vec![
                    ("access_token", Json::str(token)),
                    ("user", s.user.clone()),
                ]);
                let fresh = self.session_from(&answer, &res)?;
                self.save(fresh, AuthEvent::TokenRefreshed);
                Ok(())
            }
            Err(e) if e.status == 404 || e.status == 405 => {
                self.change_password_by_patch(&email, current, new).await
            }
            Err(e) => Err(e),
        }
    }

    async fn change_password_by_patch(
        &self,
        email: &str,
        current: &str,
        new: &str,
    ) -> Result<(), AuthError> {
        let body = obj(vec![
            ("email", Json::str(email)),
            ("password", Json::str(current)),
        ]);
        let req = self.request(Method::Post, "/login", None, Body::Json(body.to_json()));
        let (j, res) = self.call(Endpoint::Login, req).await?;
        let checked = self.session_from(&j, &res)?;
        let body = obj(vec![("password", Json::str(new))]).to_json();
        let req = self.request(
            Method::Patch,
            "/user",
            Some(&checked.access_token),
            Body::Json(body),
        );
        self.call(Endpoint::User, req).await?;
        self.save(checked, AuthEvent::TokenRefreshed);
        Ok(())
    }

    // ----- other users -------------------------------------------------------------

    /// `GET /users`: `{ users, total, limit, offset, hasMore }`.
    pub async fn list_users(&self, q: &ListQuery) -> Result<Json, AuthError> {
        let mut path = String::from("/users");
        let mut sep = '?';
        let mut add = |name: &str, value: &str| {
            path.push(sep);
            sep = '&';
            path.push_str(name);
            path.push('=');
            path.push_str(&encode_component(value));
        };
        if let Some(l) = q.limit {
            add("limit", &itoa(i64::from(l)));
        }
        if let Some(o) = q.offset {
            add("offset", &itoa(i64::from(o)));
        }
        if let Some(r) = &q.role {
            add("role", r);
        }
        if let Some(e) = &q.email_contains {
            add("email_contains", e);
        }
        let (j, _) = self
            .call(
                Endpoint::Public,
                self.request(Method::Get, &path, None, Body::Empty),
            )
            .await?;
        let users = j
            .get("data")
            .or_else(|| j.get("users"))
            .and_then(Json::as_array);
        let Some(users) = users else {
            return Err(AuthError::new(ErrorCode::BadResponse));
        };
        let int = |k: &str| j.get(k).and_then(Json::as_i64).unwrap_or(0);
        let count = users.len() as i64;
        Ok(obj(vec![
            (
                "users",
                Json::Arr(
                    users
                        .iter()
                        .filter(|u| is_user(u))
                        .map(user_shape)
                        .collect(),
                ),
            ),
            ("total", Json::int(int("total").max(count))),
            ("limit", Json::int(int("limit"))),
            ("offset", Json::int(int("offset"))),
            (
                "hasMore",
                Json::Bool(j.get("has_more").and_then(Json::as_bool).unwrap_or(false)),
            ),
        ]))
    }

    /// `GET /users/{id}`: the public profile.
    pub async fn get_user_by_id(&self, id: &str) -> Result<Json, AuthError> {
        if id.is_empty() {
            return Err(AuthError::new(ErrorCode::NotFound));
        }
        let mut path = String::from("/users/");
        path.push_str(&encode_component(id));
        let (j, _) = self
            .call(
                Endpoint::Public,
                self.request(Method::Get, &path, None, Body::Empty),
            )
            .await?;
        if !is_user(&j) {
            return Err(AuthError::new(ErrorCode::BadResponse));
        }
        Ok(public_user_shape(&j))
    }
}
