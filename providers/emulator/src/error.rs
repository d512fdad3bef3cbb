//! ARM error responses. Two body shapes exist on the wire: the usual wrapped
//! `{"error":{code,message}}` and the DNS RP's unwrapped `{code,message}`.

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, Clone)]
pub(crate) struct ArmError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub unwrapped: bool,
    /// Validation errors: the body path they name, boxed to keep errors small.
    pub target: Option<Box<Target>>,
    pub headers: Vec<(&'static str, String)>,
}

/// `target` (a request-body path) and `details` (one `{code, message, target}` per finding
/// when there are several) of a validation error.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub path: String,
    pub details: Vec<serde_json::Value>,
}

impl ArmError {
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ArmError {
            status,
            code: code.to_string(),
            message: message.into(),
            unwrapped: false,
            target: None,
            headers: Vec::new(),
        }
    }
    pub(crate) fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }
    pub(crate) fn conflict(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }
    /// The gateway's own 404: the only one that carries `x-ms-failure-cause: gateway`.
    pub(crate) fn not_found(type_name: &str, name: &str, rg: Option<&str>) -> Self {
        let message = match rg {
            Some(rg) => format!(
                "The Resource '{type_name}/{name}' under resource group '{rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
            ),
            None => format!("The Resource '{type_name}/{name}' was not found."),
        };
        Self::new(StatusCode::NOT_FOUND, "ResourceNotFound", message)
            .header("x-ms-failure-cause", "gateway")
    }
    pub(crate) fn rg_not_found(rg: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ResourceGroupNotFound",
            format!("Resource group '{rg}' could not be found."),
        )
        .header("x-ms-failure-cause", "gateway")
    }
    pub(crate) fn parent_not_found(parent: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ParentResourceNotFound",
            format!(
                "Can not perform requested operation on nested resource. Parent resource '{parent}' not found."
            ),
        )
    }
    pub(crate) fn invalid_json(detail: &str) -> Self {
        Self::bad_request(
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: '{detail}'."),
        )
    }
    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
    pub(crate) fn unwrapped(mut self) -> Self {
        self.unwrapped = true;
        self
    }
}

impl IntoResponse for ArmError {
    fn into_response(self) -> Response {
        let body = if self.unwrapped {
            json!({"code": self.code, "message": self.message})
        } else {
            let mut error = json!({"code": self.code, "message": self.message});
            if let Some(t) = self.target {
                error["target"] = json!(t.path);
                if !t.details.is_empty() {
                    error["details"] = json!(t.details);
                }
            }
            json!({ "error": error })
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                resp.headers_mut().insert(HeaderName::from_static(name), v);
            }
        }
        resp
    }
}
