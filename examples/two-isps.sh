#!/bin/sh
# Source routing for a host with two uplinks (in the style of the 2001
# "Internet redundancy" article): each ISP's address answers through that ISP.
# Needs ./rt_tables: pyip parse --rt-tables examples/rt_tables examples/two-isps.sh

# DSL
ip addr add 192.0.2.10/24 dev eth1
ip rule add from 192.0.2.10 lookup dsl pref 100
ip route add 10.0.0.0/24 via 10.0.0.1 table dsl
ip route add 0/0 via 192.0.2.1 table dsl proto static

# cable modem
ip addr add 198.51.100.20/24 dev eth2
ip rule add from 198.51.100.20 lookup cable pref 101
ip route add 10.0.0.0/24 via 10.0.0.1 table cable
ip route add 0/0 via 198.51.100.1 table cable proto static

# load balancing over both
ip route add default scope global \
    nexthop via 192.0.2.1 dev eth1 weight 1 \
    nexthop via 198.51.100.1 dev eth2 weight 1
ip route flush cache
