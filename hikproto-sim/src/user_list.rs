//! Reading a device's `users` from a site file: what an entry leaves out is filled in, and what
//! cannot be is refused while the file is read, so the error carries the file's line.
//!
//! A user without `id` gets the next id no other user of the device has (counting from 1); a
//! user without `level` is the `Administrator` when its id is 1 (the device's admin account)
//! and an `Operator` otherwise. Duplicate ids or names, id 0, unknown levels and empty names are
//! refused.

use hikproto::Secret;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

use crate::config::UserConfig;

/// The levels a device knows.
pub(crate) const LEVELS: [&str; 3] = ["Administrator", "Operator", "Viewer"];

/// One entry as written in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: Option<u32>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    level: Option<String>,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    salt: Option<String>,
}

/// Fills ids and levels and checks the list (see the module documentation).
pub(crate) fn complete(
    entries: Vec<(Option<u32>, UserConfig, bool)>,
) -> Result<Vec<UserConfig>, String> {
    let mut taken: Vec<u32> = entries.iter().filter_map(|(id, ..)| *id).collect();
    let mut out: Vec<UserConfig> = Vec::with_capacity(entries.len());
    for (id, mut u, level_given) in entries {
        if u.name.trim().is_empty() {
            return Err("a user has an empty name".into());
        }
        u.id = match id {
            Some(0) => return Err(format!("user {:?}: id 0 is not a valid user id", u.name)),
            Some(id) => id,
            None => {
                let next = (1..).find(|i| !taken.contains(i)).unwrap_or(u32::MAX);
                taken.push(next);
                next
            }
        };
        if !level_given {
            u.level = if u.id == 1 {
                "Administrator"
            } else {
                "Operator"
            }
            .into();
        }
        match LEVELS.iter().find(|l| l.eq_ignore_ascii_case(&u.level)) {
            Some(l) => (*l).clone_into(&mut u.level),
            None => {
                return Err(format!(
                    "user {:?}: level {:?} is not one of {}",
                    u.name,
                    u.level,
                    LEVELS.join(", ")
                ));
            }
        }
        if let Some(other) = out.iter().find(|o| o.id == u.id) {
            return Err(format!(
                "users {:?} and {:?} have the same id {}",
                other.name, u.name, u.id
            ));
        }
        if out.iter().any(|o| o.name == u.name) {
            return Err(format!("two users are named {:?}", u.name));
        }
        out.push(u);
    }
    Ok(out)
}

/// `deserialize_with` for `DeviceConfig::users`.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<UserConfig>, D::Error> {
    let entries = Vec::<Entry>::deserialize(de)?;
    let base = UserConfig::default();
    let entries = entries
        .into_iter()
        .map(|e| {
            let level_given = e.level.is_some();
            let u = UserConfig {
                id: 0,
                name: e.name.unwrap_or_else(|| base.name.clone()),
                password: e.password.map(Secret::from).unwrap_or_default(),
                level: e.level.unwrap_or_default(),
                enabled: e.enabled.unwrap_or(base.enabled),
                salt: e.salt.unwrap_or_default(),
            };
            (e.id, u, level_given)
        })
        .collect();
    complete(entries).map_err(D::Error::custom)
}

#[cfg(test)]
mod tests {
    use crate::config::SiteConfig;

    fn users(list: &str) -> Result<Vec<(u32, String, String)>, String> {
        let doc = format!("[[devices]]\nactivated = true\nusers = [\n{list}\n]\n");
        SiteConfig::from_toml(&doc)
            .map(|c| {
                c.devices[0]
                    .users
                    .iter()
                    .map(|u| (u.id, u.name.clone(), u.level.clone()))
                    .collect()
            })
            .map_err(|e| e.to_string())
    }

    #[test]
    fn users_without_id_get_the_next_free_one_as_operators() {
        let got = users(
            r#"{ name = "admin", password = "Passw0rd!x" },
               { name = "op", password = "Op3rator#Pass" },
               { name = "view", password = "V1ewer#Pass", level = "viewer" },
               { id = 2, name = "fixed", password = "F1xed#Pass" }"#,
        )
        .unwrap();
        assert_eq!(
            got,
            [
                (1, "admin".into(), "Administrator".into()),
                (3, "op".into(), "Operator".into()),
                (4, "view".into(), "Viewer".into()),
                (2, "fixed".into(), "Operator".into()),
            ]
        );
    }

    #[test]
    fn impossible_users_are_refused_with_the_line() {
        for (list, what) in [
            (
                "{ id = 1, name = \"admin\" },\n{ id = 1, name = \"other\" }",
                "same id 1",
            ),
            (
                "{ name = \"admin\" },\n{ name = \"admin\" }",
                "two users are named",
            ),
            ("{ name = \"admin\", level = \"root\" }", "level \"root\""),
            ("{ id = 0, name = \"admin\" }", "id 0"),
            ("{ name = \"admin\", colour = \"red\" }", "colour"),
        ] {
            let e = users(list).unwrap_err();
            assert!(e.contains(what), "{list}: {e}");
            assert!(e.contains("line"), "{list}: {e}");
        }
    }
}
