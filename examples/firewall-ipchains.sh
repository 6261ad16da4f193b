#!/bin/sh
# /etc/init.d/firewall for Red Hat 6.2 (Linux 2.2.18), in the documents' style:
# a masquerading router, eth0 inside, eth1 and eth2 to two ISPs.
INT_IFACE="eth0"
EXT_IFACES="eth1 eth2"
INT_NET=10.0.0.0/24

ipchains -F
ipchains -X
ipchains -P input DENY
ipchains -P forward DENY
ipchains -P output ACCEPT

# Anything from inside, and loopback
ipchains -A input -i lo -j ACCEPT
ipchains -A input -i $INT_IFACE -s $INT_NET -j ACCEPT

for EXT_IFACE in $EXT_IFACES; do
    # ACCEPT TCP connections for various services found in /etc/services
    for service in ssh smtp domain www; do
        ipchains -A input -i $EXT_IFACE -p tcp -d 0/0 $service -j ACCEPT
    done
    # ACCEPT non-SYN TCP packets on unprivileged ports (returns)
    ipchains -A input -i $EXT_IFACE -p tcp ! -y -d 0/0 1024: -j ACCEPT
    # ACCEPT all UDP packets on unprivileged ports
    ipchains -A input -i $EXT_IFACE -p udp -d 0/0 1024: -j ACCEPT
    # Masquerade the inside network out of this ISP
    ipchains -A forward -i $EXT_IFACE -s $INT_NET -j MASQ
done

# ACCEPT various ICMP messages, log and deny the rest
for message in echo-reply destination-unreachable source-quench time-exceeded; do
    ipchains -A input -p icmp -s 0/0 $message -j ACCEPT
done
ipchains -A input -l -j DENY
