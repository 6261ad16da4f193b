#!/bin/sh
# iptables firewall fragments (Linux 2.4, iptables 1.2.4)
# (rebuilt from the 2001 "Internet redundancy" article; its printing errors are
# kept on purpose, each marked "as printed": pyip lint finds them)
INT_IFACE="eth0"
EXT_IFACE="eth1"
INT_NET="10.0.0.0/24"
IP="63.89.102.157"

# ACCEPT return TCP/UDP traffic (stateful firewall)
iptables -t filter -A INPUT -m state --state ESTABLISHED -i $EXT_IFACE \
    -p tcp -d $IP --dport 1024: -j ACCEPT
iptables -t filter -A INPUT -m state --state ESTABLISHED -i $EXT_IFACE \
    -p udp -d $IP --dport 1024: -j ACCEPT

# ACCEPT inbound TCP connections for various
# services found in /etc/services
for service in ftp ssh smtp domain http auth ldap https; do
    # as printed: the command (-A) is missing
    iptables -t filter INPUT -m state --state NEW,ESTABLISHED -i $EXT_IFACE \
        -p tcp -d $IP --dport $service -j ACCEPT
done

# ACCEPT active FTP data connections on firewall
iptables -t filter -A INPUT -m state --state RELATED \
    -i $EXT_IFACE -p tcp -d $IP --dport 1024: --sport ftp-data -j ACCEPT

# ACCEPT new outbound traffic (stateful firewall)
# as printed: an em dash where "--state" belongs
iptables -t filter -A FORWARD -m state —state NEW,ESTABLISHED -i $INT_IFACE -s $INT_NET -j ACCEPT

# ACCEPT return traffic (stateful firewall)
# as printed: em dash, and the 2001 negation "-s ! NET" that iptables 1.4.12+ rejects
iptables -t filter -A FORWARD -m state —state NEW,ESTABLISHED,RELATED \
    -i $EXT_IFACE -s ! $INT_NET -j ACCEPT

# Pass Internet traffic to internal network unmodified
iptables -t nat -A POSTROUTING -o $INT_IFACE -j ACCEPT

# Masquerading outbound connections from internal network
iptables -t nat -A POSTROUTING -o $EXT_IFACE -j MASQUERADE

# Minimize delay for SSH
iptables -t mangle -A PREROUTING -j TOS --set-tos Minimize-Delay -p tcp --dport ssh
iptables -t mangle -A OUTPUT -j TOS --set-tos Minimize-Delay -p tcp --sport ssh
