from __future__ import annotations

from ..model import WARNING, Rule, register

ADDING = ("add", "change", "replace", "prepend", "append", "test")


@register
class GatewayIsLocal(Rule):
    """`via ADDR` where ADDR is an address the script gives this host.

    A gateway is another host on a directly connected network.  Today's
    kernel takes a route via one of the host's own addresses, but it then
    sends each packet straight onto the link, as `dev` alone would: it
    reaches only hosts that answer ARP for the destination, never a router
    beyond.  A warning: on a link where every destination answers (a
    point-to-point or proxy-ARP link) it works.  The policy-routing article
    prints such routes by mistake (the host is 10.254.254.2 and the route
    goes via 10.254.254.2).

    Bad:  ip addr add 10.254.254.2/30 dev eth0
          ip route add 10.10.0.0/16 via 10.254.254.2 table 1
    Good: ip addr add 10.254.254.2/30 dev eth0
          ip route add 10.10.0.0/16 via 10.254.254.1 table 1
    """

    code = "PI009"
    name = "gateway-is-local"
    severity = WARNING

    def check(self, script):
        local = self.local_addresses(script)
        findings = []
        for command in script.ip_commands("route"):
            parsed = command.ip
            if parsed.verb not in ADDING:
                continue
            gateways = [parsed.body.gateway] + [hop.gateway for hop in parsed.body.nexthops]
            for gateway in filter(None, gateways):
                if gateway.address in local:
                    where = local[gateway.address]
                    word = command.word_after("via") or command.words[0]
                    findings.append(self.finding(
                        script, word.location,
                        f"gateway {gateway.address} is this host's own address (given at {where.line}:{where.col}): "
                        f"packets go straight onto the link, not to a router"))
        return findings

    def local_addresses(self, script) -> dict:
        """Addresses the script gives this host: `ip addr add`, and a route's `src`
        (the kernel takes only a local address as preferred source)."""
        local = {}
        for command in script.ip_commands():
            parsed = command.ip
            if parsed.object == "address" and parsed.verb in ("add", "replace", "change"):
                if hasattr(parsed.body.local, "address"):
                    local.setdefault(parsed.body.local.address, command.location)
            elif parsed.object == "route" and parsed.verb in ADDING and hasattr(parsed.body.prefsrc, "version"):
                word = command.word_after("src") or command.words[0]
                local.setdefault(parsed.body.prefsrc, word.location)
        return local
