//! `wasi:sockets`, present so that components importing it instantiate,
//! with no network access: every operation that could reach the network
//! fails with `access-denied`. No socket can be made, so the methods of
//! sockets and their streams can never be called with a valid handle;
//! those without a `result` to fail with trap.

use super::host::{Host, define, define_resource, enum_case, err, none, trap};
use super::table::{Resource, ty};
use super::{VERSION, WasiView};
use crate::error::Result;
use crate::linker::Linker;
use crate::val::{ResourceType, Val};

fn denied() -> Val {
    err(enum_case("access-denied"))
}

pub(crate) fn add_to_linker<T: WasiView + 'static>(linker: &mut Linker<T>) -> Result<()> {
    let mut network = linker.instance(&format!("wasi:sockets/network@{VERSION}"))?;
    define_resource(&mut network, "network", ResourceType::host::<ty::Network>())?;
    define(
        &mut network,
        "network-error-code",
        |_host: &mut Host<'_, T>, _| Ok(none()),
    )?;

    let mut instance = linker.instance(&format!("wasi:sockets/instance-network@{VERSION}"))?;
    define(
        &mut instance,
        "instance-network",
        |host: &mut Host<'_, T>, _| host.new_resource(Resource::Network, None),
    )?;

    for (interface, function) in [
        ("tcp-create-socket", "create-tcp-socket"),
        ("udp-create-socket", "create-udp-socket"),
        ("ip-name-lookup", "resolve-addresses"),
    ] {
        let mut instance = linker.instance(&format!("wasi:sockets/{interface}@{VERSION}"))?;
        define(&mut instance, function, |_host: &mut Host<'_, T>, _| {
            Ok(denied())
        })?;
    }

    let resources: [(&str, &str, ResourceType, &[&str]); 5] = [
        (
            "tcp",
            "tcp-socket",
            ResourceType::host::<ty::TcpSocket>(),
            &[
                "start-bind",
                "finish-bind",
                "start-connect",
                "finish-connect",
                "start-listen",
                "finish-listen",
                "accept",
                "local-address",
                "remote-address",
                "is-listening",
                "address-family",
                "set-listen-backlog-size",
                "keep-alive-enabled",
                "set-keep-alive-enabled",
                "keep-alive-idle-time",
                "set-keep-alive-idle-time",
                "keep-alive-interval",
                "set-keep-alive-interval",
                "keep-alive-count",
                "set-keep-alive-count",
                "hop-limit",
                "set-hop-limit",
                "receive-buffer-size",
                "set-receive-buffer-size",
                "send-buffer-size",
                "set-send-buffer-size",
                "subscribe",
                "shutdown",
            ],
        ),
        (
            "udp",
            "udp-socket",
            ResourceType::host::<ty::UdpSocket>(),
            &[
                "start-bind",
                "finish-bind",
                "stream",
                "local-address",
                "remote-address",
                "address-family",
                "unicast-hop-limit",
                "set-unicast-hop-limit",
                "receive-buffer-size",
                "set-receive-buffer-size",
                "send-buffer-size",
                "set-send-buffer-size",
                "subscribe",
            ],
        ),
        (
            "udp",
            "incoming-datagram-stream",
            ResourceType::host::<ty::IncomingDatagramStream>(),
            &["receive", "subscribe"],
        ),
        (
            "udp",
            "outgoing-datagram-stream",
            ResourceType::host::<ty::OutgoingDatagramStream>(),
            &["check-send", "send", "subscribe"],
        ),
        (
            "ip-name-lookup",
            "resolve-address-stream",
            ResourceType::host::<ty::ResolveAddressStream>(),
            &["resolve-next-address", "subscribe"],
        ),
    ];
    for (interface, resource, ty, methods) in resources {
        let mut instance = linker.instance(&format!("wasi:sockets/{interface}@{VERSION}"))?;
        // Handles of these types are never made, so nothing is dropped.
        instance.resource(resource, ty, |_store, _rep| Ok(()))?;
        for method in methods {
            let what = format!("{resource}.{method}");
            define(
                &mut instance,
                &format!("[method]{resource}.{method}"),
                move |_host: &mut Host<'_, T>, _| {
                    Err(trap(format!(
                        "`{what}` called, but this host has no sockets (network access is denied)"
                    )))
                },
            )?;
        }
    }
    Ok(())
}
