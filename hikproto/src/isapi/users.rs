//! Users (isapi.md §7): `GET/POST /ISAPI/Security/users`, `GET/PUT/DELETE /ISAPI/Security/users/<id>`.
//!
//! Writes carry the new `password` and, on devices with `SecurityCap/isSupportUserCheck`, the
//! operator's own `loginPassword`. With `security=1` the web UI encrypts `userName`, `password`
//! and `loginPassword` (see [`crate::auth::field_cipher`]). The admin is id 1 and cannot be deleted.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::auth::field_cipher::FieldCipher;
use crate::error::{Error, Result};
use crate::isapi::capabilities::leaf_extras;
use crate::keys::Secret;
use crate::xml::{Element, FromXml, fmt_bool};

/// The user list.
pub const PATH: &str = "/ISAPI/Security/users";

/// `/ISAPI/Security/users/<id>`.
pub fn user_path(id: u32) -> String {
    format!("{PATH}/{id}")
}

/// The fields `security=1` encrypts in a `User` document.
pub const ENCRYPTED_FIELDS: &[&str] = &["userName", "password", "loginPassword"];

/// `userLevel`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum UserLevel {
    /// `Administrator`.
    Administrator,
    /// `Operator`.
    Operator,
    /// `Viewer`.
    Viewer,
    /// `installer` (some families).
    Installer,
    /// `manufacturer` (some families).
    Manufacturer,
    /// Another value, kept as sent.
    Other(String),
}

impl UserLevel {
    /// Parses the device value (case-insensitive).
    pub fn parse(s: &str) -> Self {
        match s.trim().to_ascii_lowercase().as_str() {
            "administrator" | "admin" => Self::Administrator,
            "operator" => Self::Operator,
            "viewer" => Self::Viewer,
            "installer" => Self::Installer,
            "manufacturer" => Self::Manufacturer,
            _ => Self::Other(s.trim().to_owned()),
        }
    }

    /// The value devices expect.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Administrator => "Administrator",
            Self::Operator => "Operator",
            Self::Viewer => "Viewer",
            Self::Installer => "installer",
            Self::Manufacturer => "manufacturer",
            Self::Other(s) => s,
        }
    }
}

/// One `User` as listed (the password is write-only and never read).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// `id` (1 is the admin).
    pub id: u32,
    /// `userName`.
    pub user_name: String,
    /// `enabled`.
    pub enabled: Option<bool>,
    /// `userLevel`.
    pub level: Option<UserLevel>,
    /// Other leaves (`userOperateType`, …), as sent; `password`/`loginPassword` are never kept.
    pub extra: BTreeMap<String, String>,
}

impl FromXml for User {
    const ROOT: &'static str = "User";

    fn from_element(el: &Element) -> Result<Self> {
        Ok(Self {
            id: el
                .num_at("id")
                .ok_or_else(|| Error::decode(Self::ROOT, "missing or invalid <id>"))?,
            user_name: el
                .string_at("userName")
                .ok_or_else(|| Error::decode(Self::ROOT, "missing <userName>"))?,
            enabled: el.bool_at("enabled"),
            level: el.text_at("userLevel").map(UserLevel::parse),
            extra: leaf_extras(
                el,
                &[
                    "id",
                    "userName",
                    "enabled",
                    "userLevel",
                    "password",
                    "loginPassword",
                    "keypadPassword",
                ],
            ),
        })
    }
}

/// Decodes `UserList` (or a single `User`).
pub fn users(el: &Element) -> Result<Vec<User>> {
    match el.name.as_str() {
        "UserList" => el.children_named("User").map(User::from_element).collect(),
        "User" => Ok(vec![User::from_element(el)?]),
        other => Err(Error::decode(
            "UserList",
            format!("unexpected root <{other}>"),
        )),
    }
}

/// A `User` write: add (no `id`) or modify (with `id`).
#[derive(Debug, Clone, Default)]
pub struct UserWrite {
    /// `id` of the user to modify; `None` to add.
    pub id: Option<u32>,
    /// `userName`.
    pub user_name: String,
    /// The new `password`.
    pub password: Option<Secret>,
    /// The operator's own password (`loginPassword`), when the device wants it.
    pub login_password: Option<Secret>,
    /// `userLevel`.
    pub level: Option<UserLevel>,
    /// `enabled`.
    pub enabled: Option<bool>,
}

impl UserWrite {
    /// Builds the `User` document; with `cipher`, the sensitive fields are encrypted.
    pub fn to_element(&self, namespace: Option<&str>, cipher: Option<&FieldCipher>) -> Element {
        let mut el = Element::new("User");
        if let Some(n) = namespace {
            el = el.with_namespace(n);
        }
        if let Some(id) = self.id {
            el = el.push_text("id", id.to_string());
        }
        if let Some(e) = self.enabled {
            el = el.push_text("enabled", fmt_bool(e));
        }
        el = el.push_text("userName", self.user_name.clone());
        if let Some(p) = &self.password {
            el = el.push_text("password", p.expose());
        }
        if let Some(l) = &self.level {
            el = el.push_text("userLevel", l.as_str());
        }
        if let Some(p) = &self.login_password {
            el = el.push_text("loginPassword", p.expose());
        }
        if let Some(c) = cipher {
            c.encrypt_fields(&mut el, ENCRYPTED_FIELDS);
        }
        el
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::field_cipher::FieldKey;

    #[test]
    fn list_and_levels() {
        let doc = br#"<UserList version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema"><User><id>1</id><userName>admin</userName><userLevel>Administrator</userLevel><userOperateType>1</userOperateType></User><User><id>2</id><userName>viewer1</userName><userLevel>viewer</userLevel><enabled>true</enabled></User></UserList>"#;
        let list = users(&Element::parse(doc).unwrap()).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].level, Some(UserLevel::Administrator));
        assert_eq!(
            list[0].extra.get("userOperateType").map(String::as_str),
            Some("1")
        );
        assert_eq!(list[1].level, Some(UserLevel::Viewer));
        assert!(
            users(
                &Element::parse(b"<UserList><User><userName>x</userName></User></UserList>")
                    .unwrap()
            )
            .is_err()
        );
        assert_eq!(UserLevel::parse("Strange").as_str(), "Strange");
    }

    #[test]
    fn writes_plain_and_encrypted() {
        let w = UserWrite {
            id: Some(2),
            user_name: "op1".into(),
            password: Some(Secret::new("N3w!passwd")),
            login_password: Some(Secret::new("Adm1n!pass")),
            level: Some(UserLevel::Operator),
            enabled: None,
        };
        let plain = w.to_element(None, None);
        assert_eq!(plain.text_at("password"), Some("N3w!passwd"));
        assert_eq!(plain.text_at("loginPassword"), Some("Adm1n!pass"));
        let c = FieldKey::from_bytes([4; 16]).cipher([8; 16]);
        let enc = w.to_element(Some(crate::xml::ns::ISAPI_V20), Some(&c));
        let xml = enc.to_xml();
        assert!(!xml.contains("N3w!passwd") && !xml.contains("Adm1n!pass") && !xml.contains("op1"));
        assert_eq!(
            c.decrypt_field(&enc, "userName").unwrap().unwrap().expose(),
            "op1"
        );
        assert_eq!(enc.text_at("userLevel"), Some("Operator"));
        assert!(!format!("{w:?}").contains("N3w!passwd"));
    }
}
