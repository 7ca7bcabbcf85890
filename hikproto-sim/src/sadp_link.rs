//! Binds the SADP responder (`crate::sadp`) to the site's devices: SADP reads and changes the
//! same state as ISAPI (activation, admin password, network, Hik-Connect, recovery set-up).

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::time::Instant;

use hikproto::Secret;

use crate::config::{QuestionConfig, UserConfig};
use crate::sadp::{DeviceView, Features, SadpDevice};
use crate::state::DeviceShared;

/// A site device seen through the SADP responder's [`SadpDevice`] trait.
pub(crate) struct SiteSadpDevice(pub(crate) Arc<DeviceShared>);

fn v4(s: &str) -> Ipv4Addr {
    s.trim().parse().unwrap_or(Ipv4Addr::UNSPECIFIED)
}

impl SadpDevice for SiteSadpDevice {
    fn load(&self) -> DeviceView {
        let rt = self.0.lock();
        let cfg = &rt.cfg;
        let (registered, bound_account) = {
            let st = self.0.platform.state();
            let reg = st.registration(&rt);
            (
                reg.offline_reason != Some("serverUnreachable"),
                st.account_of(&cfg.serial),
            )
        };
        let admin = cfg.users.iter().find(|u| u.id == 1);
        let m = &cfg.reset_methods;
        let base = DeviceView::camera(self.0.index as u32);
        DeviceView {
            serial: cfg.serial.clone(),
            model: cfg.model.clone(),
            mac: cfg.mac.clone(),
            firmware: format!("{}{}", cfg.firmware, cfg.firmware_build),
            ipv4: v4(&cfg.network.ip),
            mask: v4(&cfg.network.mask),
            gateway: v4(&cfg.network.gateway),
            ipv6: Ipv6Addr::UNSPECIFIED,
            dhcp: cfg.network.addressing.eq_ignore_ascii_case("dynamic"),
            http_port: cfg.http_port,
            https_port: if cfg.https_port == 0 {
                443
            } else {
                cfg.https_port
            },
            activated: cfg.activated,
            admin_user: admin.map_or_else(|| "admin".into(), |u| u.name.clone()),
            admin_password: admin.filter(|_| cfg.activated).map(|u| u.password.clone()),
            salt: admin.map(|u| u.salt.clone()).or(base.salt.clone()),
            features: Features {
                security_questions: m.security_questions,
                guid: m.guid_file,
                mailbox: m.email,
                hc_platform: !cfg
                    .personality
                    .refused
                    .contains_key("/ISAPI/System/Network/EZVIZ"),
                phone_reset: m.hc_app,
                export_file: m.export_file,
                device_lock: cfg.lockout.enabled,
                ..Features::default()
            },
            platform_enabled: cfg.ezviz.enabled,
            platform_online: registered,
            verification_code: cfg.verification_code.clone(),
            bound_account,
            security_questions: cfg
                .security_questions
                .iter()
                .map(|q| (q.id, q.answer.clone()))
                .collect(),
            mailbox: cfg.reserved_email.clone(),
            ..base
        }
    }

    fn store(&self, view: DeviceView) {
        let mut rt = self.0.lock();
        let was_activated = rt.cfg.activated;
        if !view.activated && was_activated {
            // Restore inactive: back to factory state, identity and ports kept.
            rt.cfg.activated = false;
            rt.cfg.users.clear();
            rt.cfg.verification_code = None;
            rt.cfg.security_questions.clear();
            rt.cfg.reserved_email = None;
            rt.drop_logins();
        } else if view.activated {
            rt.cfg.activated = true;
            if let Some(pw) = view.admin_password.as_ref() {
                let changed =
                    rt.cfg.users.iter().find(|u| u.id == 1).map(|u| &u.password) != Some(pw);
                if changed {
                    rt.remember_password(pw);
                    match rt.cfg.users.iter_mut().find(|u| u.id == 1) {
                        Some(admin) => admin.password = pw.clone(),
                        None => rt.cfg.users.insert(0, UserConfig::admin(pw.expose())),
                    }
                    rt.drop_logins();
                    rt.clients.clear();
                }
            }
        }
        let net = &mut rt.cfg.network;
        net.ip = view.ipv4.to_string();
        net.mask = view.mask.to_string();
        net.gateway = view.gateway.to_string();
        net.addressing = if view.dhcp { "dynamic" } else { "static" }.into();
        let code: Option<Secret> = view.verification_code.clone();
        if rt.cfg.ezviz.enabled != view.platform_enabled || rt.cfg.verification_code != code {
            rt.ezviz_changed_at = Instant::now();
        }
        rt.cfg.ezviz.enabled = view.platform_enabled;
        rt.cfg.verification_code = code;
        rt.cfg.security_questions = view
            .security_questions
            .iter()
            .map(|(id, a)| QuestionConfig {
                id: *id,
                answer: a.clone(),
            })
            .collect();
        rt.cfg.reserved_email = view.mailbox.clone();
        if view.bound_account.is_none() {
            let serial = rt.cfg.serial.clone();
            self.0.platform.state().unbind(&serial);
        }
        drop(rt);
        self.0.mark_dirty();
    }
}
