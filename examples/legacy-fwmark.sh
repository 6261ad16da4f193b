#!/bin/sh
# 2.2-era policy routing (in the style of Marsh's article): written for the
# old ip, which read "fwmark" in hexadecimal and knew "reject" and "equalize".
# Read it as it was meant:  pyip parse --dialect legacy --rt-tables examples/rt_tables examples/legacy-fwmark.sh
# Read it as today's ip:    pyip parse --rt-tables examples/rt_tables examples/legacy-fwmark.sh

ip rule add fwmark 10 pref 14000 table lab
ip rule add fwmark 1f pref 14001 table lab
ip rule add from 10.9.9.0/24 pref 14002 reject
ip route add 10.20.0.0/16 via 10.0.0.254 table lab proto static
ip route add default equalize \
    nexthop via 192.0.2.1 dev eth1 \
    nexthop via 198.51.100.1 dev eth2
ip route flush cache
