//! Provisioning a new camera end to end, against a simulated site:
//!
//! 1. find out that the camera is in factory state and which activation flow it speaks;
//! 2. check the admin password against the device policy, then activate (one login verifies it);
//! 3. read the security capabilities (field encryption, login-password checks);
//! 4. add an operator account;
//! 5. set DNS and NTP so the camera can reach the platform;
//! 6. generate a Hik-Connect verification code, enable platform access and wait until the
//!    camera is registered;
//! 7. check the code without reading it back.
//!
//! Run with `cargo run -p hikproto-sim --example provision`. Nothing leaves the loopback interface.

use std::net::Ipv4Addr;
use std::time::Duration;

use hikproto::isapi::users::UserLevel;
use hikproto::keys::{Password, PasswordPolicy, VerificationCode};
use hikproto::{Device, Result};
use hikproto_sim::{DeviceConfig, Site};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let site = Site::builder()
        .device(DeviceConfig::camera(0))
        .start()
        .await
        .map_err(|e| hikproto::Error::invalid(format!("simulator: {e}")))?;
    let sim = site.device(0);
    println!(
        "simulated {} ({}) at {}",
        sim.model(),
        sim.serial(),
        sim.isapi_url()
    );

    let outcome = provision(&sim.host(), sim.serial()).await;
    site.shutdown().await;
    outcome
}

async fn provision(host: &str, serial: &str) -> Result<()> {
    let dev = Device::builder(host).build()?;

    // 1. factory state?
    let status = dev.activation_status().await?;
    println!("activated: {}, flow: {:?}", status.activated, status.flow());

    // 2. the password policy first, locally: nothing is sent for a weak password
    let weak = PasswordPolicy::standard().check("admin", "admin123");
    println!("\"admin123\" would be refused: {}", weak.explain());
    let password = Password::new("admin", "Cam!Install24")?;
    println!("admin password strength: {}", password.strength());
    if !status.activated {
        let report = dev.activate(&password).await?;
        println!(
            "activated with the {:?} flow (risky-password warning: {})",
            report.flow, report.risky_password_warning
        );
    }

    // 3. what the camera offers
    let caps = dev.capabilities().await?;
    let sec = caps.security.clone().unwrap_or_default();
    println!(
        "security=1 field encryption: {}, login password required for user changes: {}",
        caps.supports_field_encryption(),
        sec.is_support_user_check.unwrap_or(false)
    );

    // 4. an operator account
    let op_password = Password::new("operator1", "Op3rator!Cam")?;
    let id = dev
        .add_user("operator1", &op_password, UserLevel::Operator, None)
        .await?;
    println!("added operator1 as user {id}");

    // 5. network basics for the platform connection
    let iface = dev
        .network_interfaces()
        .await?
        .first()
        .map(|i| i.id.clone())
        .unwrap_or_else(|| "1".into());
    let st = dev
        .set_dns(&iface, Ipv4Addr::new(1, 1, 1, 1).into(), None)
        .await?;
    println!("DNS set (reboot required: {})", st.reboot_required());
    dev.use_ntp("pool.ntp.org").await?;
    println!("time from pool.ntp.org");

    // 6. Hik-Connect
    let code = VerificationCode::generate();
    let code = VerificationCode::new_for_device(code.expose(), serial)?;
    dev.enable_platform_access(&code).await?;
    let ezviz = dev.wait_until_registered(Duration::from_secs(30)).await?;
    println!(
        "Hik-Connect: registered={}, server={:?}",
        ezviz.is_registered(),
        ezviz.server_address.and_then(|s| s.host_name)
    );
    // the code is handed to the installer once, here; it is redacted everywhere else
    println!(
        "verification code for the Hik-Connect app: {}",
        code.expose()
    );

    // 7. later checks never read the code back
    println!(
        "device confirms the code: {}",
        dev.check_verification_code(&code).await?
    );
    Ok(())
}
