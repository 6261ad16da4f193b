from __future__ import annotations

from ..model import Rule, register

ADDRESS_OPTIONS = ("-s", "--source", "--src", "-d", "--destination", "--dst")


@register
class IpchainsShortAddress(Rule):
    """An ipchains address like `10/8`: to ipchains it is 0.0.0.0/8.

    ipchains passed addresses that are not four-part dotted quads to
    gethostbyname(), which reads `10` as 0.0.0.10, so `10/8` became
    0.0.0.0/8; iptables and ip read it as 10.0.0.0/8.  (`0/0` means the same
    everywhere and is not reported.)

    Bad:  ipchains -A input -s 10/8 -j DENY
    Good: ipchains -A input -s 10.0.0.0/8 -j DENY
    """

    code = "PI017"
    name = "ipchains-short-address"

    def check(self, script):
        findings = []
        for command in script.of("ipchains"):
            words = command.words
            for index, word in enumerate(words[:-1]):
                if word.text not in ADDRESS_OPTIONS:
                    continue
                value = words[index + 2] if words[index + 1].text == "!" and index + 2 < len(words) else words[index + 1]
                finding = self.check_address(script, value)
                if finding:
                    findings.append(finding)
        return findings

    def check_address(self, script, value):
        if value.symbol is not None:
            return None
        address, _, mask = value.text.partition("/")
        parts = address.split(".")
        # C digits only, and few enough for inet_aton to take (a longer part is a PI000 error)
        if len(parts) >= 4 or not all(p.isascii() and p.isdigit() and len(p) <= 10 for p in parts) \
                or all(int(p) == 0 for p in parts):
            return None
        meant = ".".join(parts + ["0"] * (4 - len(parts)))
        suffix = f"/{mask}" if mask else ""
        if inet_aton_network(parts, mask) == inet_aton_network(meant.split("."), mask):
            return None  # `10.1/16`: both readings give the same network
        return self.finding(script, value.location,
                            f'"{value.text}" is {inet_aton_network(parts, mask)} to ipchains (inet_aton), '
                            f'not {meant}{suffix}: write {meant}{suffix}')


def inet_aton_network(parts: list[str], mask: str) -> str:
    """What gethostbyname() made of a short dotted address: its last part fills the rest."""
    numbers = [int(p) for p in parts]
    value = 0
    for number in numbers[:-1]:
        value = value << 8 | number
    value = value << (8 * (4 - len(numbers) + 1)) | numbers[-1]
    value &= 0xFFFFFFFF
    if mask.isascii() and mask.isdigit() and len(mask) <= 2 and int(mask) <= 32:
        value &= (0xFFFFFFFF << (32 - int(mask))) & 0xFFFFFFFF
    text = ".".join(str(value >> shift & 255) for shift in (24, 16, 8, 0))
    return f"{text}/{mask}" if mask else text
