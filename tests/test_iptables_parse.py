"""iptables commands: canonical forms, the legacy dialect, and the real iptables as the oracle of parse errors.

Each sample command runs with the real iptables (nf_tables, 1.8) in a test
namespace and is parsed by pyip in the modern dialect.  When iptables
refuses it before looking at the ruleset (exit 2, exit 3 for a table), pyip
must refuse it with the same message and exit status; when iptables gets
as far as the ruleset (exit 0, 1, 4, or a jump to a chain that does not
exist), pyip must accept it.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pyip
from pyip.ast import firewall as fw
from pyip.extensions.multiport import MultiportMatch
from pyip.errors import PyipError
from pyip.render.iptables_save import restore_file
from pyip.ruleset import Ruleset

from .firewall import is_parse_rejection, run_calls, save
from .netns import namespace

CORE = [
    "-A INPUT -j ACCEPT", "--append INPUT -j ACCEPT", "--app INPUT -j ACCEPT", "--a INPUT -j ACCEPT",
    "-AINPUT -j DROP", "--append=INPUT -j DROP", "-A", "-A INPUT -A INPUT", "-A INPUT -I INPUT",
    "-A INPUT 1.2.3.4", "-A INPUT -", "-A INPUT ''", "-A INPUT -- -j ACCEPT", "-A INPUT -j ACCEPT --",
    "-I INPUT -j ACCEPT", "-I INPUT 1 -j ACCEPT", "-I INPUT 0 -j ACCEPT", "-I INPUT x -j ACCEPT",
    "-I INPUT 1 2", "-I INPUT -1", "-R INPUT -j ACCEPT", "-R INPUT 1 -j ACCEPT", "-R INPUT 1 -s 1.2.3.4,5.6.7.8",
    "-D INPUT 0", "-D INPUT 1", "-D INPUT -j ACCEPT", "-D INPUT 1 -j ACCEPT", "-C INPUT -j ACCEPT",
    "-N", "-N ACCEPT", "-N LOG", "-N -foo", "-N '!foo'", "-N 'a b'", "-N 1234567890123456789012345678",
    "-N 12345678901234567890123456789", "-N newchain", "-N newchain -n", "-X", "-X newchain", "-X -n",
    "-E foo", "-E foo bar", "-E -v foo bar", "-P INPUT", "-P INPUT ACCEPT", "-P INPUT ACCEPT -n",
    "-P INPUT ACCEPT -s 1.2.3.4", "-F", "-F INPUT", "-FINPUT", "-F -n", "-F INPUT -v", "-Z", "-Z INPUT 1",
    "-L -n", "-nL", "-nvL", "-L INPUT -n", "-L INPUT 1 -n", "-L -Z -n", "-Z -L -n", "-S", "-S INPUT",
    "-S INPUT 1", "-S INPUT -n", "-S -Z", "-L -S", "-A INPUT -L", "-nvxL --line-numbers",
    "-A INPUT -n", "-A INPUT -x", "-A INPUT --line-numbers", "-A INPUT -v -j ACCEPT", "-A INPUT -vv",
    "! -A INPUT", "-A INPUT !", "-A INPUT ! ! -s 1.2.3.4", "-A INPUT ! -j ACCEPT", "-A INPUT ! -m state",
    "-A INPUT ! -t filter", "-A INPUT ! -n", "-A INPUT ! -f", "-A INPUT -f", "-A INPUT -f -f",
    "-y", "-A INPUT -y", "-A INPUT -yn", "-A INPUT -b", "-A INPUT -c 1 2", "--ver", "--w -A INPUT",
    "--set-c 1 2 -A INPUT", "--l", "--list-r", "--fl", "--fr -A INPUT", "--de INPUT 1", "--dele INPUT 1",
    "--delete INPUT 1", "--dst 1.2.3.4 -A INPUT", "--d 1.2.3.4 -A INPUT", "--so 1.2.3.4 -A INPUT",
    "--sr 1.2.3.4 -A INPUT", "--s 1.2.3.4 -A INPUT", "--i eth0 -A INPUT", "--in-i eth0 -A INPUT",
    "--o eth0 -A FORWARD", "--j ACCEPT -A INPUT", "--g mychain -A INPUT", "--t nat -A INPUT",
    "--m state --state NEW -A INPUT", "--x -L", "--e a b", "--z", "--r INPUT 1", "--c INPUT",
    "--syn -A INPUT", "-4 -A INPUT", "--ipv4 -A INPUT", "-6 -A INPUT", "-w -A INPUT", "-w 5 -A INPUT",
    "-w x -A INPUT", "--wait=3 -A INPUT", "-W 5 -A INPUT", "-A INPUT -M /bin/true",
    "-t nat -A POSTROUTING -j DROP", "-t nat -P POSTROUTING DROP", "-t nat -A POSTROUTING -j ACCEPT",
    "-t foo -A INPUT", "-t foo -A INPUT -s 1.2.3.400", "-t raw -A PREROUTING", "-t security -A INPUT",
    "-t mangle -t nat -A POSTROUTING", "-A OUTPUT -i eth0", "-A INPUT -o eth0", "-A PREROUTING -o eth0",
    "-A POSTROUTING -i eth0", "-A FORWARD -i eth0 -o eth1", "-A mychain -i eth0 -o eth1",
]

ADDRESSES = [
    "-s 1.2.3.4", "-s 1.2.3.4/24", "-s 10/8", "-s 10.1", "-s 010.0.0.1", "-s 0x0a.0.0.1", "-s 0/0",
    "-s 1.2.3.4/255.255.0.0", "-s 1.2.3.4/255.0.255.0", "-s 1.2.3.4/33", "-s 1.2.3.4/x", "-s 1.2.3.400",
    "-s ''", "-s 1.2.3.4,5.6.7.8", "! -s 1.2.3.4,5.6.7.8", "-s 1.2.3.4 -s 5.6.7.8", "! -s 1.2.3.4",
    "-s ! 1.2.3.4", "-d 1.2.3.4", "-d ! 1.2.3.4", "--source 1.2.3.4", "--src 1.2.3.4", "--destination 1.2.3.4",
    "-s localhost", "-s 1.2.3.4/0", "-s 256.1.1.1", "-d 1.2.3.4/-1", "-s 1.2.3.4/32",
    "-i eth0", "-i eth+", "-i +", "! -i eth0", "-i ! eth0", "-i ''", "-i eth0 -i eth1", "-i 123456789012345",
    "-i 1234567890123456", "-i eth0/1", "-i 'a b'", "-o ppp0", "-p tcp", "-p TCP", "-p 6", "-p udp", "-p icmp",
    "-p all", "-p 0", "-p 47", "-p gre", "-p esp", "-p 200", "-p 256", "-p foo", "-p ! tcp", "! -p tcp",
    "! -p all", "! -p 0", "-p tcp -p udp", "--protocol tcp", "-p",
]

TCP = [
    "-p tcp --dport 22", "-p tcp --dport ssh", "-p tcp --dport www", "-p tcp --dport ftp-data",
    "-p tcp --dport domain", "-p tcp --dport dns", "-p tcp --dport 1024:", "-p tcp --dport :1023",
    "-p tcp --dport 1024:65535", "-p tcp --dport 6000-6010", "-p tcp --dport 2:1", "-p tcp --dport 70000",
    "-p tcp --dport -1", "-p tcp --dport ' 5'", "-p tcp --dport +5", "-p tcp --dport 0x10", "-p tcp --dport 010",
    "-p tcp --dport 1:2:3", "-p tcp --dport ! 22", "-p tcp ! --dport 22", "-p tcp --dport 22 --dport 23",
    "-p tcp --sport 22 --source-port 23", "-p tcp --sp 1 --dp 2", "-p tcp --source-p 1", "-p tcp --de 1",
    "-p tcp --d 22", "-p tcp --s 22", "-p tcp --dport=23", "-p tcp --dport=", "-p tcp --syn", "-p tcp ! --syn",
    "-p tcp --sy", "-p tcp --syn=1", "-p tcp --syn --tcp-flags SYN SYN", "-p tcp --tcp-flags SYN,RST,ACK SYN",
    "-p tcp --tcp-flags ALL NONE", "-p tcp --tcp-flags syn,fin,ack FIN", "-p tcp --tcp-flags SYN",
    "-p tcp --tcp-flags SYN -x", "-p tcp --tcp-flags FOO SYN", "-p tcp --tcp-flags ,SYN, SYN,,",
    "-p tcp ! --tcp-flags SYN ACK", "-p tcp --tcp-f SYN SYN", "-p tcp --tcp-option 2", "-p tcp --tcp-option 0",
    "-p tcp --tcp 1", "-p tcp --dport", "--dport 22", "-m tcp --dport 22", "-p udp -m tcp --dport 22",
    "-p tcp -m tcp --dport 22", "-p tcp -m tcp", "! -p tcp --dport 22", "-p 6 --dport 22", "-p TCP --dport 22",
    "-p tcp -m tcp --dport 22 -m udp --dport 23", "-p tcp --dport 22 -m multiport --dport 23",
    "-p udp --dport 53", "-p udp --dport domain", "-p udp --dport foo", "-p udp --dport 5:1",
    "-p udp --dport 1:2:3", "-p udp --dport :100", "-p udp --dport 1024:", "-p udp --dport ! 5",
    "-p udp ! --dport 5", "-p udp --dport 22 --dport 1", "-p udp --dport 22 --syn", "-p udp --sport 70000",
    "-p tcp -m udp --dport 22", "-m udp --dport 22", "-p udp -m udp", "-p icmp -m tcp --dport 1",
    "-p icmp --icmp-type echo-request", "-p icmp --icmp-type 8", "-p icmp --icmp-type 3/4",
    "-p icmp --icmp-type any", "-p icmp --icmp-type ping", "-p icmp --icmp-type echo", "-p icmp --icmp-type e",
    "-p icmp --icmp-type foo", "-p icmp --icmp-type 300", "-p icmp --icmp-type 3/300",
    "-p icmp --icmp-type 8 --icmp-type 0", "-p icmp ! --icmp-type 0", "-p icmp --icmp-type ! 0",
    "-p icmp --icmp-type Echo-Reply", "-p icmp --icmp-type host-unreach", "-p icmp -m icmp",
    "-p icmp --icmp-type TOS-host-redirect", "-p 1 --icmp-type 0",
]

MATCHES = [
    "-m state --state NEW", "-m state --state ESTABLISHED,RELATED", "-m state --state new",
    "-m state --state EST", "-m state --state FOO", "-m state --state NEW,FOO,BAR", "-m state --state NEW,",
    "-m state --state ,NEW", "-m state --state NEW --state NEW", "-m state", "-m state ! --state NEW",
    "-m state --state ! NEW", "-m state --st NEW", "-m state --s NEW", "-m state —state NEW", "-m STATE --state NEW",
    "-m foo", "-m state -m state --state NEW", "-m state --state NEW -m state --state INVALID",
    "-m conntrack --ctstate NEW,DNAT", "-m conntrack", "-m conntrack --ctstate FOO", "-m conntrack --ctproto tcp",
    "-m conntrack --ctproto foo", "-m conntrack ! --ctorigsrc 10.0.0.0/8", "-m conntrack --ctstatus ASSURED",
    "-m conntrack --ctstatus FOO", "-m conntrack --ctexpire 10:20", "-m conntrack --ctdir REPLY",
    "-m conntrack --ctdir foo", "-m conntrack ! --ctdir REPLY",
    "-p tcp -m multiport --dports 22,80", "-p tcp -m multiport --dport 22,80", "-p tcp -m multiport --dp 22",
    "-m multiport --dports 1,2", "-p tcp -m multiport", "-p tcp -m multiport --dports 1,2 --sports 3",
    "-p tcp -m multiport --dports 1:2,5", "-p tcp -m multiport --dports 2:1", "-p tcp -m multiport ! --dports 1,2",
    "-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
    "-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16",
    "-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14:20", "-p icmp -m multiport --dports 1",
    "! -p tcp -m multiport --dports 1", "-m multiport -p tcp --dports 1", "-p udp -m multiport --ports domain,ntp",
    "-p tcp -m multiport --dports ssh,www", "-p tcp -m multiport --dports foo",
    "-m limit --limit 5/min --limit-burst 10", "-m limit --limit 3/s", "-m limit", "-m limit --limit 100",
    "-m limit --limit 7/day", "-m limit --limit 5/foo", "-m limit --limit 0", "-m limit --limit-burst 10001",
    "-m limit ! --limit 5", "-m limit --limit 5 --limit 6", "-m limit --lim 5", "-m limit --limit 5/h",
    "-m limit --limit 25/hour", "-m limit --limit 1000000", "-m limit --limit-b 3",
    "-m mark --mark 5", "-m mark --mark 0x5/0xff", "-m mark ! --mark 1", "-m mark --mark foo", "-m mark",
    "-m mark --mark 1/x", "-m mac --mac-source 00:11:22:33:44:AA", "-m mac --mac-source 00:11", "-m mac",
    "-m mac ! --mac-source 0:1:2:3:4:5", "-m owner --uid-owner 0", "-m owner --uid-owner root --gid-owner 0-10",
    "-m owner", "-m owner --uid-owner nosuchuser", "-m owner ! --socket-exists", "-m owner --uid-owner 5-2",
    "-m iprange --src-range 10.0.0.1-10.0.0.9", "-m iprange ! --dst-range 10.0.0.1-10.0.0.9", "-m iprange",
    "-m comment --comment 'hello world'", "-m comment --comment simple", "-m comment", "-m comment ! --comment x",
    "-m comment --comment 'say \"hi\"'", "-m string --string 'GET /' --algo bm", "-m string --string foo",
    "-m string --algo bm", "-m string --string foo --algo kmp --from 10 --to 100",
    "-m string --hex-string '|0d0a|' --algo bm", "-m string --hex-string '|0d0a' --algo bm",
    "-m string ! --string x --algo bm", "-m string --string x --algo bm --icase",
    "-m recent --name ssh --set", "-m recent --set --update", "-m recent --seconds 5", "-m recent --rcheck",
    "-m recent --name ssh --update --seconds 60 --hitcount 4", "-m recent ! --rcheck --rdest",
    "-m recent --reap --rcheck", "-m recent --rcheck --rsource --rdest", "-m tos --tos Minimize-Delay",
    "-m tos --tos 0x10/0x3f", "-m tos --tos foo", "-m tos ! --tos 0x10", "-m tos --tos normal-service",
    "-m u32 --u32 '0>>22&0x3C@4>>16=0x1'", "-m u32 ! --u32 '0=0x45000000'", "-m u32 --u32 '0 & 0xFFFF = 0x100:0xFFFF'",
    "-m length --length 100:200", "-m length --length 100", "-m length", "-m length ! --length :100",
    "-m ttl --ttl-eq 64", "-m ttl --ttl-lt 5", "-m ttl", "-m ttl --ttl-eq 5 --ttl-lt 3", "-m ttl ! --ttl-eq 5",
    "-m ttl ! --ttl-gt 5", "-m ttl --ttl-eq 300", "-m addrtype --dst-type LOCAL", "-m addrtype",
    "-m addrtype --src-type FOO", "-m addrtype ! --src-type UNICAST", "-m addrtype --src-type unicast,local",
    "-m addrtype --src-type BROADCAST,MULTICAST --dst-type ! LOCAL", "-m pkttype --pkt-type broadcast",
    "-m pkttype --pkt-type foo", "-m pkttype ! --pkt-type multicast", "-m pkttype",
]

TARGETS = [
    "-j LOG", "-j LOG --log-prefix 'DROP: '", "-j LOG --log-level info --log-prefix x", "-j LOG --log-level 7",
    "-j LOG --log-level foo", "-j LOG --log-prefix ''", "-j LOG --log-p x", "-j LOG --log-pre x --log-l 4",
    "-j LOG --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid",
    "-j LOG --log-prefix 123456789012345678901234567890", "-j REJECT", "-j REJECT --reject-with foo",
    "-j REJECT --reject-with icmp-host-unreachable", "-p tcp -j REJECT --reject-with tcp-reset",
    "-j REJECT --reject-with port-unreach", "-j MARK", "-j MARK --set-mark 5", "-j MARK --set-mark foo",
    "-j MARK --set-mark 1 --and-mark 2", "-j MARK --set-xmark 5/7", "-j MARK --or-mark 5", "-j TOS",
    "-j TOS --set-tos Minimize-Delay", "-j TOS --set-tos 0x10", "-j TTL --ttl-set 300", "-j TTL",
    "-j TTL --ttl-set 64", "-j TCPMSS", "-j TCPMSS --set-mss 1400 --clamp-mss-to-pmtu", "-j NFLOG",
    "-j NFLOG --nflog-group 70000", "-j NFLOG --nflog-group 2 --nflog-prefix 'hi there'",
    "-j ACCEPT --log-prefix x", "-j ACCEPT -j DROP", "-j ACCEPT -g mychain", "-j ''", "-j 'a b'",
    "-j 123456789012345678901234567890", "-j mychain", "-g mychain", "-j nosuchchain", "-j DENY", "-j MASQ",
    "-j RETURN", "--log-prefix x -j LOG", "-j LOG -j LOG", "! -j ACCEPT", "-j",
]

NAT = [
    "-A PREROUTING -p tcp --dport 80 -j DNAT --to 10.0.0.1", "-A PREROUTING -j DNAT",
    "-A PREROUTING -j DNAT --to-destination foo", "-A PREROUTING -j DNAT --to-destination 1.2.3.4:80",
    "-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:80-90", "-A PREROUTING -p tcp -j DNAT --t 1.2.3.4",
    "-A PREROUTING -p tcp -j DNAT --r", "-A POSTROUTING -j SNAT", "-A POSTROUTING -j SNAT --to 1.2.3.4",
    "-A POSTROUTING -p udp -j SNAT --to-source 1.2.3.4-1.2.3.9:1000-2000", "-A POSTROUTING -j SNAT --to-source 1.2.3.4 --random --persistent",
    "-A PREROUTING -j REDIRECT --to-ports 80", "-A PREROUTING -p tcp -j REDIRECT --to-ports x",
    "-A PREROUTING -p tcp -j REDIRECT --to 8080", "-A POSTROUTING -o eth1 -j MASQUERADE",
    "-A POSTROUTING -p tcp -j MASQUERADE --to-ports 1024-2000", "-A POSTROUTING -j MASQUERADE --to-ports 1024",
    "-A POSTROUTING -j MASQUERADE --random",
]


# Formats: what each extension saves, in every table it works in.
RENDERED = [
    "-A INPUT -m conntrack --ctorigsrcport 80 --ctrepldstport 1000:2000 --ctstatus EXPECTED,CONFIRMED",
    "-A INPUT -m conntrack ! --ctstatus NONE ! --ctexpire 5 --ctdir ORIGINAL",
    "-A INPUT -m conntrack --ctreplsrc 5.6.7.8/16 --ctrepldst 9.9.9.9 --ctstate SNAT,UNTRACKED",
    "-A INPUT -m string --string 'a\"b\\c' --algo bm --icase --to 1000", "-A INPUT -m string --hex-string 'ab|00|cd' --algo kmp",
    "-A INPUT -m string --string foo --algo bm --from 0 --to 65535",
    "-A INPUT -m recent ! --update --seconds 10 --reap --hitcount 2 --rttl --name x --mask 255.255.0.0 --rdest",
    "-A INPUT -m recent --remove --rdest --rsource", "-A OUTPUT -m owner ! --uid-owner 5-7 --gid-owner 3 --socket-exists",
    "-A INPUT -m iprange --src-range 10.0.0.9-10.0.0.1 --dst-range 1.1.1.1", "-A OUTPUT -m addrtype --src-type LOCAL --limit-iface-out",
    "-A INPUT -m addrtype --src-type UNSPEC,XRESOLVE,NAT --limit-iface-in", "-A INPUT -m tos --tos 16/0x0f",
    "-A INPUT -m mark --mark 0xffffffff/0xffffffff", "-A INPUT -m mark --mark 010", "-A INPUT -m length --length 5:5",
    "-A INPUT -m limit --limit 13/hour --limit-burst 1", "-A INPUT -m limit --limit 59/minute", "-A INPUT -m limit --limit 1/day",
    "-A INPUT -p icmp --icmp-type network-redirect", "-A INPUT -p icmp --icmp-type 3/0", "-A INPUT -p icmp --icmp-type 11/1",
    "-A INPUT -p tcp --tcp-flags ALL ALL", "-A INPUT -p tcp --tcp-flags PSH,URG URG", "-A INPUT -p tcp --sport 1:1",
    "-A INPUT -p udp -m multiport --ports 1:2,3,4:10", "-A INPUT -p tcp -m multiport ! --sports 22",
    "-A INPUT -j LOG --log-level 0 --log-uid --log-macdecode", "-A INPUT -j LOG --log-level alert --log-prefix a.b",
    "-A INPUT -j LOG --log-level warn", "-A INPUT -j LOG --log-level panic", "-A INPUT -j LOG --log-level err",
    "-A INPUT -j LOG --log-level crit --log-prefix '\\'", "-A FORWARD -j REJECT --reject-with icmp-net-prohibited",
    "-A OUTPUT -j REJECT --reject-with host-prohib", "-A INPUT -j REJECT --reject-with icmp-proto-unreachable",
    "-A INPUT -j REJECT --reject-with net-unreach", "-A INPUT -j REJECT --reject-with admin-prohib",
    "-A INPUT -p tcp -j REJECT --reject-with tcp-rst", "-A INPUT -j MARK --xor-mark 0x10", "-A INPUT -j MARK --and-mark 0xff",
    "-A INPUT -j MARK --set-xmark 0xffffffff", "-A INPUT -j NFLOG --nflog-size 128 --nflog-group 65535",
    "-A INPUT -j NFLOG --nflog-threshold 1 --nflog-prefix x", "-A INPUT -p tcp -j TCPMSS --set-mss 536",
    "-A INPUT -g mychain", "-A INPUT -f ! -p udp", "-A INPUT -s 1.2.3.4/255.255.255.255 -d 1.2.3.4/0.0.0.255",
    "-A INPUT -i eth0.100 -s 0.0.0.0/0.0.0.1", "-A INPUT -p udplite", "-A INPUT -p 255", "-A INPUT -p ipv6-icmp",
    "-t mangle -A PREROUTING -j TOS --and-tos 0x10", "-t mangle -A PREROUTING -j TOS --or-tos 0x10",
    "-t mangle -A PREROUTING -j TOS --xor-tos 0x10", "-t mangle -A PREROUTING -j TOS --set-tos 0x10/0xff",
    "-t mangle -A PREROUTING -j TOS --set-tos Normal-Service", "-t mangle -A POSTROUTING -j TTL --ttl-dec 1",
    "-t mangle -A POSTROUTING -j TTL --ttl-inc 2", "-t mangle -A FORWARD -p tcp -j TCPMSS --clamp-mss-to-pmtu",
    "-t nat -A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4:80", "-t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4 --random-fully",
    "-t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 1024-2000 --random-fully",
    "-t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1-10.0.0.9:8080 --persistent",
    "-t nat -A OUTPUT -p tcp -j REDIRECT --to-ports 8080-8090 --random", "-t nat -A PREROUTING -p udp -j REDIRECT",
    "-t raw -A PREROUTING -p udp --dport 53 -j ACCEPT", "-t security -A INPUT -m state --state NEW -j ACCEPT",
]


# Extension values iptables refuses, each with its own words.
VALUE_ERRORS = [
    "-m length --length 70000", "-m length --length 1:2:3", "-m length --length x", "-m length --length 5:1",
    "-m ttl --ttl-eq x", "-m ttl --ttl-gt 256", "-m iprange --src-range foo", "-m iprange --src-range 1.2.3.4-x",
    "-m mac --mac-source 0:1:2:3:4:5:6", "-m mac --mac-source 00:11:22:33:44:zz", "-m mac --mac-source 000:11:22:33:44:55",
    "-m tos --tos 256", "-m tos --tos 0x10/0x100", "-m tos --tos 0x10/x", "-m conntrack --ctexpire x",
    "-m conntrack --ctexpire 5:x", "-m conntrack --ctstatus assured", "-m conntrack --ctorigsrcport foo",
    "-m conntrack --ctdir reply", "-m conntrack --ctstate established,related", "-m conntrack --ctproto 300",
    "-m string --algo bm --string x --from x", "-m string --algo bm --hex-string '|0|'",
    "-m string --algo bm --hex-string '|zz|'", "-m string --algo bm --hex-string ''", "-m string --algo bm --string ''",
    "-m string --algo nosuch --string x", "-m recent --set --name ''", "-m recent --set --seconds x",
    "-m recent --set --seconds 0", "-m recent --set --hitcount 0", "-m addrtype --src-type local,,unicast",
    "-m addrtype --src-type foo,unicast", "-m addrtype --dst-type LOCAL --limit-iface-in --limit-iface-out",
    "-m pkttype --pkt-type BROADCAST", "-m mark --mark 0x100000000", "-m mark --mark -1", "-m mark --mark 1/2/3",
    "-m mark --mark 1x", "-m limit --limit 5/", "-m limit --limit /s", "-m limit --limit 5x", "-m limit --limit 2/d",
    "-m limit --limit-burst 0", "-m limit --limit 1000000/s", "-p tcp --tcp-option 256", "-p tcp --tcp-option x",
    "-p icmp --icmp-type 3/", "-p icmp --icmp-type /3", "-p icmp --icmp-type 300/1", "-p icmp --icmp-type ''",
    "-p udp --sport ''", "-p tcp --sport ''", "-p tcp --sport ':'", "-p udp --sport ':'",
    "-p tcp -m multiport --dports ''", "-p tcp -m multiport --dports 1,,2", "-p tcp -m multiport --dports :5",
    "-j LOG --log-level ''", "-j LOG --log-level err", "-j LOG --log-level INFO", "-j LOG --log-level 010",
    "-j LOG --log-level 07", "-j MARK --set-mark 1/2/3", "-j MARK --set-xmark 0x1/", "-j MARK --and-mark x",
    "-j REJECT --reject-with icmp-p", "-j REJECT --reject-with HOST", "-j REJECT --reject-with icmp-echo-reply",
    "-j TCPMSS --set-mss 65500 -p tcp", "-j TCPMSS --set-mss x", "-j NFLOG --nflog-size x",
    "-j NFLOG --nflog-range 5 --nflog-size 5", "-j REJECT --reject-with tcp-reset",
]
NAT_VALUE_ERRORS = [
    "-t mangle -A INPUT -j TTL --ttl-dec 0", "-t mangle -A INPUT -j TTL --ttl-inc 0", "-t mangle -A INPUT -j TTL --ttl-set 0",
    "-t mangle -A INPUT -j TOS --set-tos 0x100", "-t mangle -A INPUT -j TOS --set-tos foo",
    "-t mangle -A INPUT -j TOS --and-tos 256", "-t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4-foo",
    "-t nat -A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4:80-70", "-t nat -A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4:x",
    "-t nat -A POSTROUTING -p tcp -j SNAT --to-source :80", "-t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4 --to-source 1.2.3.5",
    "-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 2-1", "-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 70000",
    "-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 1-2-3", "-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 1x",
    "-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 0", "-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 1-x",
]


def sample_commands() -> list[str]:
    commands = [f"iptables {args}" for args in CORE + RENDERED + NAT_VALUE_ERRORS]
    commands += [f"iptables -A INPUT {args}" for args in VALUE_ERRORS]
    commands += [f"iptables -A INPUT {args} -j ACCEPT" for args in ADDRESSES + TCP + MATCHES]
    commands += [f"iptables -A INPUT {args}" for args in TARGETS]
    commands += [f"iptables -t mangle -A PREROUTING {args}" for args in TARGETS[18:30]]
    commands += [f"iptables -t nat {args}" for args in NAT]
    return commands


def pyip_verdict(command: str):
    results = list(pyip.parse_script(command, "modern"))
    assert len(results) == 1, command
    return results[0]


@pytest.fixture(scope="module")
def oracle():
    """Every sample command, run once by the real iptables, in order, in one namespace with `mychain`."""
    commands = sorted(set(sample_commands()))
    with namespace("pyipt") as ns:
        setup = run_calls(ns, ["iptables -N mychain", "iptables -t nat -N mychain"])
        assert all(call.status == 0 for call in setup)
        yield dict(zip(commands, run_calls(ns, commands)))


@pytest.mark.parametrize("command", sorted(set(sample_commands())))
def test_pyip_agrees_with_iptables_on_parse_errors(oracle, command):
    real = oracle[command]
    mine = pyip_verdict(command)
    if is_parse_rejection(real):
        assert isinstance(mine, PyipError), f"iptables refuses: {real.message!r}; pyip accepts: {mine}"
        assert (mine.message, mine.exit_status) == (real.message, real.status)
    else:
        assert not isinstance(mine, PyipError), f"iptables accepts ({real.status} {real.message!r}); pyip: {mine}"


def test_the_sample_covers_both_verdicts(oracle):
    rejected = sum(is_parse_rejection(call) for call in oracle.values())
    assert 150 < rejected < len(oracle) - 200


# -- canonical forms ------------------------------------------------------------------------


def canonical(command: str, dialect: str = "modern") -> str:
    [result] = pyip.parse(command, dialect)
    return str(result)


@pytest.mark.parametrize("command, expected", [
    ("iptables -A INPUT -p tcp --dport ssh -j ACCEPT", "iptables -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT"),
    ("/sbin/iptables -t filter -A INPUT -m state --state ESTABLISHED -i eth1 -p tcp -d 1.2.3.4 --dport 1024: -j ACCEPT",
     "iptables -A INPUT -d 1.2.3.4/32 -i eth1 -p tcp -m state --state ESTABLISHED -m tcp --dport 1024:65535 -j ACCEPT"),
    ("iptables -t mangle -A PREROUTING -j TOS --set-tos Minimize-Delay -p tcp --dport ssh",
     "iptables -t mangle -A PREROUTING -p tcp -m tcp --dport 22 -j TOS --set-tos 0x10/0x3f"),
    ("iptables -A INPUT -j MARK --set-mark 5", "iptables -A INPUT -j MARK --set-xmark 0x5/0xffffffff"),
    ("iptables -A INPUT -p tcp -m multiport --dport 22,www", "iptables -A INPUT -p tcp -m multiport --dports 22,80"),
    ("iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to 10.0.0.1:8080",
     "iptables -t nat -A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080"),
    ("iptables -A INPUT -j LOG --log-prefix \"it's a \\\"drop\\\" \"",
     "iptables -A INPUT -j LOG --log-prefix 'it'\\''s a \"drop\" '"),
    ("iptables -A INPUT -p tcp --syn -j DROP", "iptables -A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j DROP"),
    ("iptables -I INPUT 3 -s 10.1.2.3/8 -j DROP", "iptables -I INPUT 3 -s 10.0.0.0/8 -j DROP"),
    ("iptables -nvL INPUT", "iptables -L INPUT -n -v"),
    ("iptables -D FORWARD 2", "iptables -D FORWARD 2"),
    ("iptables -E old new", "iptables -E old new"),
    ("iptables -A INPUT -m limit --limit 3/s --limit-burst 5 -j ACCEPT", "iptables -A INPUT -m limit --limit 3/sec -j ACCEPT"),
    ("iptables -A INPUT -m u32 --u32 '0>>22&0x3C@4>>16=0x1' -j DROP",
     "iptables -A INPUT -m u32 --u32 '0x0>>0x16&0x3c@0x4>>0x10=0x1' -j DROP"),
])
def test_canonical_form(command, expected):
    assert canonical(command) == expected
    assert canonical(expected) == expected


@pytest.mark.parametrize("legacy, modern, note", [
    ("iptables -A INPUT -s ! 10.0.0.0/8 -j ACCEPT", "iptables -A INPUT ! -s 10.0.0.0/8 -j ACCEPT", "-s ! 10.0.0.0/8"),
    ("iptables -A INPUT -i ! eth0 -j DROP", "iptables -A INPUT ! -i eth0 -j DROP", "-i ! eth0"),
    ("iptables -A INPUT -p tcp --dport ! 22 -j DROP", "iptables -A INPUT -p tcp -m tcp ! --dport 22 -j DROP",
     "--dport ! 22"),
    ("iptables -A INPUT -p ! tcp -j DROP", "iptables -A INPUT ! -p tcp -j DROP", "-p ! tcp"),
    ("iptables -A INPUT -m state --state ! NEW -j ACCEPT", "iptables -A INPUT -m state ! --state NEW -j ACCEPT",
     "--state ! NEW"),
])
def test_the_legacy_dialect_reads_negation_inside_the_argument(legacy, modern, note):
    [command] = pyip.parse(legacy, "legacy")
    assert str(command) == modern
    assert command == pyip.parse(modern)[0]  # the same rule, whichever spelling
    assert any(note in text for text in command.notes)
    tests = [command.rule.source, command.rule.in_interface, command.rule.protocol,
             *(getattr(m, f, None) for m in command.rule.matches for f in ("dport", "states"))]
    assert any(t is not None and t.legacy for t in tests)
    [error] = pyip.parse_script(legacy, "modern")
    assert isinstance(error, PyipError) and error.exit_status == 2


def test_the_ast_is_typed():
    [command] = pyip.parse("iptables -t nat -I POSTROUTING 2 ! -s 10.0.0.0/24 -o ppp+ -p tcp "
                           "-m multiport --sports 1024:2000 -j SNAT --to-source 1.2.3.4:1000-2000")
    assert isinstance(command, fw.Insert) and command.position == 2
    rule = command.rule
    assert (rule.table, rule.chain) == ("nat", "POSTROUTING")
    assert rule.source == fw.Test((fw.Address(__import__("ipaddress").IPv4Address("10.0.0.0"), 0xFFFFFF00),), True)
    assert rule.out_interface.value == "ppp+"
    assert rule.protocol.value.number == 6
    assert rule.matches == (MultiportMatch("sports", fw.Test((fw.PortRange(1024, 2000),))),)
    assert rule.target.to.min_port == 1000 and rule.target.to.max_port == 2000


def test_unknown_shell_values_stay_symbols():
    [command] = pyip.parse('iptables -A INPUT -i "$IFACE" -s $NET -p tcp --dport $PORT -j ACCEPT')
    assert str(command) == "iptables -A INPUT -s $NET -i $IFACE -p tcp -m tcp --dport $PORT -j ACCEPT"


def test_the_corpus_script(corpus):
    """The article's defects are found where they stand; the rest parses."""
    text = (corpus / "redundant-isp" / "firewall-iptables.sh").read_text()
    results = list(pyip.parse_script(text, "modern", file="fw.sh"))
    errors = [str(r) for r in results if isinstance(r, PyipError)]
    assert errors == ["fw.sh:18:24: error: Bad argument `INPUT'"] * 8 + [
        "fw.sh:28:40: error: Bad argument `—state'", "fw.sh:32:40: error: Bad argument `—state'"]
    assert sum(isinstance(r, fw.Command) for r in results) == 7


# -- properties ------------------------------------------------------------------------------

octet = st.integers(0, 255)
address = st.builds(lambda a, b, c, d, n: f"{a}.{b}.{c}.{d}/{n}", octet, octet, octet, octet, st.integers(1, 32))
port = st.one_of(st.integers(0, 65535).map(str), st.sampled_from(["ssh", "www", "domain", "ftp-data", "https"]))
port_range = st.one_of(port, st.builds(lambda a, b: f"{min(a, b)}:{max(a, b)}", st.integers(0, 65535),
                                        st.integers(0, 65535)), st.sampled_from(["1024:", ":1023"]))
bang = st.sampled_from(["", "! "])
interface = st.sampled_from(["eth0", "eth1", "ppp+", "lo", "br-lan"])
text = st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=20)


def quoted(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


header = st.builds(lambda s, d, i, o: " ".join(filter(None, [s, d, i, o])),
                   st.one_of(st.just(""), st.builds(lambda b, a: f"{b}-s {a}", bang, address)),
                   st.one_of(st.just(""), st.builds(lambda b, a: f"{b}-d {a}", bang, address)),
                   st.one_of(st.just(""), st.builds(lambda b, i: f"{b}-i {i}", bang, interface)),
                   st.one_of(st.just(""), st.builds(lambda b, i: f"{b}-o {i}", bang, interface)))
tcp = st.builds(lambda s, d, f: f"-p tcp {s} {d} {f}",
                st.one_of(st.just(""), st.builds(lambda b, p: f"{b}--sport {p}", bang, port_range)),
                st.one_of(st.just(""), st.builds(lambda b, p: f"{b}--dport {p}", bang, port_range)),
                st.sampled_from(["", "--syn", "! --syn", "--tcp-flags SYN,RST SYN", "--tcp-flags ALL NONE"]))
udp = st.builds(lambda d: f"-p udp --dport {d}", port_range)
icmp = st.builds(lambda b, t: f"-p icmp {b}--icmp-type {t}", bang,
                 st.sampled_from(["echo-request", "8", "3/4", "any", "time-exceeded", "port-unreachable"]))
protocol = st.one_of(st.just(""), tcp, udp, icmp, st.sampled_from(["-p gre", "! -p tcp", "-p 47"]))
match = st.one_of(
    st.builds(lambda b, s: f"-m state {b}--state {s}", bang,
              st.sampled_from(["NEW", "ESTABLISHED,RELATED", "INVALID", "NEW,ESTABLISHED"])),
    st.builds(lambda s: f"-m conntrack --ctstate {s}", st.sampled_from(["NEW", "RELATED,ESTABLISHED,DNAT"])),
    st.builds(lambda r, b: f"-m limit --limit {r} --limit-burst {b}",
              st.sampled_from(["5/min", "3/hour", "1/s", "100", "7/day"]), st.integers(1, 100)),
    st.builds(lambda b, m: f"-m mark {b}--mark {m}", bang, st.sampled_from(["5", "0x10/0xff", "0xffffffff"])),
    st.builds(lambda c: f"-m comment --comment {quoted(c)}", text),
    st.builds(lambda b, t: f"-m tos {b}--tos {t}", bang, st.sampled_from(["Minimize-Delay", "0x10/0x3f", "8"])),
    st.builds(lambda b, n: f"-m length {b}--length {n}", bang, st.sampled_from(["100", "100:200", ":64"])),
    st.builds(lambda b, t: f"-m addrtype {b}--dst-type {t}", bang, st.sampled_from(["LOCAL", "BROADCAST,MULTICAST"])),
    st.builds(lambda b, r: f"-m iprange {b}--src-range {r}", bang, st.sampled_from(["10.0.0.1-10.0.0.9"])),
    st.builds(lambda s: f"-m string --string {quoted(s)} --algo bm", text),
    st.sampled_from(["-m recent --name ssh --set", "-m recent --update --seconds 60 --hitcount 4 --name ssh",
                     "-m pkttype --pkt-type broadcast", "-m u32 --u32 '0>>22&0x3C@4>>16=0x1'",
                     "-m ttl --ttl-lt 5", "-m ttl ! --ttl-eq 64"]),
)
target = st.one_of(
    st.sampled_from(["-j ACCEPT", "-j DROP", "-j RETURN", "-j REJECT", "-j REJECT --reject-with icmp-host-prohibited",
                     "-j mychain", "-g mychain", "-j MARK --set-mark 5", "-j MARK --or-mark 0x10", "", "-j NFLOG",
                     "-j LOG --log-level info", "-j TCPMSS --clamp-mss-to-pmtu"]),
    st.builds(lambda p: f"-j LOG --log-prefix {quoted(p)}", text),
)
verb = st.sampled_from(["-A INPUT", "-A FORWARD", "-I INPUT", "-I FORWARD 3", "-D OUTPUT", "-R INPUT 2",
                        "-C FORWARD", "-A mychain"])
rule_command = st.builds(lambda v, h, p, m, t: f"iptables {v} {h} {p} {' '.join(m)} {t}",
                         verb, header, protocol, st.lists(match, max_size=3), target)
nat_command = st.builds(
    lambda chain, t: f"iptables -t nat -A {chain} {t}",
    st.sampled_from(["PREROUTING", "POSTROUTING", "OUTPUT"]),
    st.sampled_from(["-o eth1 -j MASQUERADE", "-p tcp -j DNAT --to-destination 10.0.0.1:80",
                     "-j SNAT --to-source 1.2.3.4-1.2.3.9", "-p udp -j REDIRECT --to-ports 53",
                     "-p tcp -m multiport --dports 80,443 -j DNAT --to 10.0.0.2"]))
other_command = st.sampled_from(["iptables -F", "iptables -t nat -F PREROUTING", "iptables -X mychain",
                                 "iptables -N newchain", "iptables -E a b", "iptables -P FORWARD DROP",
                                 "iptables -D INPUT 4", "iptables -Z", "iptables -nvL INPUT", "iptables -S"])
any_command = st.one_of(rule_command, nat_command, other_command)


def parse_one(command: str):
    results = list(pyip.parse_script(command, "modern"))
    assert len(results) == 1
    return results[0]


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(any_command)
def test_render_then_parse_is_a_fixed_point(command):
    parsed = parse_one(command)
    if isinstance(parsed, PyipError):
        return  # combinations iptables refuses too (-i with OUTPUT, tcp options without -p tcp, ...)
    rendered = str(parsed)
    again = parse_one(rendered)
    assert not isinstance(again, PyipError), f"{command!r} -> {rendered!r}: {again}"
    assert again == parsed, f"{command!r} -> {rendered!r}"
    assert str(again) == rendered


@settings(max_examples=300, deadline=None)
@given(rule_command)
def test_most_generated_rules_parse(command):
    """The generator mostly makes valid rules, so the fixed-point test has teeth."""
    parsed = parse_one(command)
    if isinstance(parsed, PyipError):
        assert parsed.exit_status == 2
        assert "INPUT" in command and "-o" in command or "OUTPUT" in command or "--log-prefix" in command \
            or "--comment" in command or "--string" in command or "-R" in command


fuzz_words = st.lists(st.one_of(
    st.sampled_from(["iptables", "-A", "INPUT", "-I", "-D", "-R", "1", "-p", "tcp", "udp", "--dport", "--sport",
                     "22", "1024:", "-m", "state", "--state", "NEW", "multiport", "--dports", "-j", "ACCEPT", "LOG",
                     "--log-prefix", "!", "-s", "-d", "10/8", "1.2.3.4", "-t", "nat", "mangle", "-i", "eth+", "--",
                     "-nvL", "--app", "--to", "DNAT", "-g", "x", "'", '"', "\\", "$X", ";", "#", "—", "\x00", "=",
                     "--dport=", "-AINPUT", "limit", "--limit", "5/min", "-N", "-X", "-E", "-P", "DROP", "-c", "-w"]),
    st.text(max_size=6)), max_size=14)


@settings(max_examples=800, deadline=None)
@given(fuzz_words)
def test_fuzzed_words_give_positioned_errors_never_exceptions(parts):
    for dialect in ("modern", "legacy"):
        for result in pyip.parse_script("iptables " + " ".join(parts), dialect, file="fuzz"):
            if isinstance(result, PyipError):
                assert str(result).startswith("fuzz:")
                assert result.exit_status in (0, 1, 2, 3)
            else:
                assert isinstance(result, (fw.Command, pyip.ast.IpCommand))


# -- rendering: every rule iptables takes prints as iptables prints it ------------------------------------

APPEND = re.compile(r"iptables (?:-t (\w+) )?-A (\w+) ")


def appended_rules() -> list[tuple[str, str, str]]:
    """(command, table, chain) of the sample's `-A` commands."""
    found = []
    for command in sorted(set(sample_commands())):
        match = APPEND.match(command)
        if match:
            found.append((command, match.group(1) or "filter", match.group(2)))
    return found


def test_accepted_rules_render_as_iptables_prints_them():
    """Every `-A` of the sample that iptables takes: its iptables-save line is pyip's rendering."""
    rules = appended_rules()
    setup = ["iptables -N mychain", "iptables -t nat -N mychain"]
    with namespace("pyiprender") as ns:
        run_calls(ns, setup)
        calls = run_calls(ns, [command for command, _, _ in rules])
        real = save(ns)
    ruleset = Ruleset()
    for command in setup + [command for (command, _, _), call in zip(rules, calls) if call.status == 0]:
        [parsed] = pyip.parse(command)
        ruleset.apply(parsed)
    assert restore_file(ruleset) == real
    assert sum(call.status == 0 for call in calls) > 230




@settings(max_examples=300, deadline=None)
@given(st.lists(fuzz_words, min_size=1, max_size=4))
def test_translating_fuzzed_scripts_reports_errors_never_raises(lines):
    from pyip.translators.pipeline import to_iptables_restore

    text = "\n".join("iptables " + " ".join(parts) for parts in lines)
    compiled, errors = to_iptables_restore(text, "fuzz")
    assert all(str(error).startswith("fuzz:") for error in errors)
    assert compiled.endswith("COMMIT\n") or compiled.count("\n") <= 1


def test_lint_calls_a_syntax_error_only_what_iptables_refuses(oracle):
    """PI000 and the rules that explain a refusal, against the real iptables' verdicts on the sample."""
    import pyip.lint

    missed, false = [], []
    for command, real in oracle.items():
        findings = pyip.lint.lint(command + "\n", "t.sh")
        if is_parse_rejection(real) and not any(f.severity == "error" for f in findings):
            missed.append(command)
        if not is_parse_rejection(real) and any(f.code == "PI000" for f in findings):
            false.append(command)
    assert not missed and not false, (missed[:5], false[:5])
