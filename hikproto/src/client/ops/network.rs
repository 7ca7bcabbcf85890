//! Network settings: interfaces, addressing, DNS, admin ports, time and NTP.
//!
//! Every write validates locally, then does a read-modify-write and returns the device's
//! `ResponseStatus`: check [`ResponseStatus::reboot_required`] (statusCode 7), which address
//! and port changes commonly answer.

use std::net::IpAddr;

use crate::client::Device;
use crate::error::Result;
use crate::isapi::network::{self, AdminAccesses, IpAddressing, Ipv4Change, NetworkInterface};
use crate::isapi::status::ResponseStatus;
use crate::isapi::time::{self, NtpServer, NtpServers, Time, TimeMode};

impl Device {
    /// Lists the network interfaces.
    pub async fn network_interfaces(&self) -> Result<Vec<NetworkInterface>> {
        network::interfaces(&self.get_xml(network::INTERFACES_PATH).await?)
    }

    /// Reads the addressing of one interface (usually `"1"`).
    pub async fn ip_addressing(&self, interface_id: &str) -> Result<IpAddressing> {
        self.get(&network::ip_address_path(interface_id)).await
    }

    /// Writes the addressing of one interface after validating it locally.
    pub async fn set_ip_addressing(
        &self,
        interface_id: &str,
        settings: &IpAddressing,
    ) -> Result<ResponseStatus> {
        settings.validate()?;
        self.put_xml(
            &network::ip_address_path(interface_id),
            &settings.to_element(),
        )
        .await
    }

    /// Changes one interface's IPv4 addressing by read-modify-write ([`Ipv4Change::apply`];
    /// an invalid change is refused before anything is sent): what the change does not name is written back as the device sent it. Moving the address
    /// or switching to DHCP cuts this handle off from the device once it takes effect; the
    /// answer is often statusCode 7 (Reboot Required).
    pub async fn change_ipv4(
        &self,
        interface_id: &str,
        change: &Ipv4Change,
    ) -> Result<ResponseStatus> {
        change.check()?;
        let mut ip = self.ip_addressing(interface_id).await?;
        change.apply(&mut ip)?;
        self.set_ip_addressing(interface_id, &ip).await
    }

    /// Sets the primary and (optionally) secondary DNS server of one interface.
    pub async fn set_dns(
        &self,
        interface_id: &str,
        primary: IpAddr,
        secondary: Option<IpAddr>,
    ) -> Result<ResponseStatus> {
        let mut ip = self.ip_addressing(interface_id).await?;
        ip.set_dns(primary, secondary);
        self.set_ip_addressing(interface_id, &ip).await
    }

    /// Reads the admin access protocols and ports.
    pub async fn admin_accesses(&self) -> Result<AdminAccesses> {
        self.get(network::ADMIN_ACCESSES_PATH).await
    }

    /// Writes the admin access protocols and ports.
    pub async fn set_admin_accesses(&self, settings: &AdminAccesses) -> Result<ResponseStatus> {
        self.put_xml(network::ADMIN_ACCESSES_PATH, &settings.to_element())
            .await
    }

    /// Changes one protocol's port (`HTTP`, `HTTPS`, `RTSP`, `DEV_MANAGE`, …).
    pub async fn set_admin_port(&self, protocol: &str, port: u16) -> Result<ResponseStatus> {
        let mut a = self.admin_accesses().await?;
        a.set_port(protocol, port)?;
        self.set_admin_accesses(&a).await
    }

    /// Reads the time settings.
    pub async fn time(&self) -> Result<Time> {
        self.get(time::PATH).await
    }

    /// Writes the time settings.
    pub async fn set_time(&self, settings: &Time) -> Result<ResponseStatus> {
        self.put_xml(time::PATH, &settings.to_element()).await
    }

    /// Reads the NTP servers.
    pub async fn ntp_servers(&self) -> Result<NtpServers> {
        self.get(time::NTP_SERVERS_PATH).await
    }

    /// Writes the NTP servers.
    pub async fn set_ntp_servers(&self, servers: &NtpServers) -> Result<ResponseStatus> {
        self.put_xml(time::NTP_SERVERS_PATH, &servers.to_element())
            .await
    }

    /// Points the device at one NTP server and switches `timeMode` to NTP (two writes; the
    /// status of the second is returned, reboot-required if either said so).
    pub async fn use_ntp(&self, host: &str) -> Result<ResponseStatus> {
        if host.trim().is_empty() || host.contains(char::is_whitespace) {
            return Err(crate::Error::invalid(
                "an NTP server is a host name or address",
            ));
        }
        let mut servers = self.ntp_servers().await?;
        let id = servers
            .servers
            .first()
            .map(|s| s.id.clone())
            .unwrap_or_else(|| "1".to_owned());
        let mut entry = NtpServer::new(id, host);
        if let Some(old) = servers.servers.first() {
            entry.synchronize_interval = old.synchronize_interval;
            entry.port_no = old.port_no.or(entry.port_no);
        }
        servers.servers = vec![entry];
        let first = self.set_ntp_servers(&servers).await?;
        let mut t = self.time().await?;
        t.time_mode = Some(TimeMode::Ntp);
        let mut second = self.set_time(&t).await?;
        if first.reboot_required() && !second.reboot_required() {
            second = first;
        }
        Ok(second)
    }
}
