"""HMARK (libxt_HMARK.c): mark the packet with a hash of its addresses, ports and protocol, mod N plus offset.

The port masks and values share a union with the SPI mask and value in the
kernel's struct (port_mask.p16.src/dst and port_mask.v32, network order);
they are kept here as those four bytes, so what iptables-save prints of
one after the other was given is what the kernel would hold.
"""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..parser.xtables import Extension, Opt, parse_number, parse_plen_mask, problem

TYPES = ("ct", "src", "dst", "sport", "dport", "proto", "spi")  # hmark_parse()'s order
MASKS = ("src-prefix", "dst-prefix", "sport-mask", "dport-mask", "spi-mask", "sport", "dport", "spi", "proto-mask")


class Hmark(metaclass=records.frozen):
    name: ClassVar[str] = "HMARK"
    given: frozenset  # the fields set: src-prefix ... offset, ct
    src_prefix: int = 0
    dst_prefix: int = 0
    port_mask: bytes = bytes(4)  # sport mask, dport mask / spi mask
    port_set: bytes = bytes(4)
    proto_mask: int = 0
    rnd: int = 0
    mod: int = 0
    offset: int = 0

    @property
    def limits(self):
        """xt_HMARK's check: an SPI mask or value with a port mask or value is refused in every table."""
        given = self.given
        if ("spi-mask" in given and {"sport-mask", "dport-mask"} & given) or ("spi" in given and {"sport", "dport"}
                                                                              & given):
            return ("(none)", set(), None)
        return None


class Target(Extension):
    name = "HMARK"
    options = (Opt("hmark-tuple", "tuple"), Opt("hmark-src-prefix", "src-prefix"),
               Opt("hmark-dst-prefix", "dst-prefix"), Opt("hmark-sport-mask", "sport-mask"),
               Opt("hmark-dport-mask", "dport-mask"), Opt("hmark-spi-mask", "spi-mask"),
               Opt("hmark-sport", "sport"), Opt("hmark-dport", "dport"), Opt("hmark-spi", "spi"),
               Opt("hmark-proto-mask", "proto-mask"), Opt("hmark-rnd", "rnd"), Opt("hmark-mod", "mod"),
               Opt("hmark-offset", "offset"))

    def read_tuple(self, given):
        items = given.value.split(",")
        if not items[-1]:
            raise problem('"--hmark-tuple" requires a list of types with no spaces, e.g. src,dst,sport,dport,proto')
        found = []
        for index, item in enumerate(items):
            name = next((t for t in TYPES if item and t.startswith(item.lower())), None)
            if name is None:
                raise problem(f'Bad type "{",".join(items[index:])}"')
            found.append(name)
        return tuple(found)

    def read_src_prefix(self, given):
        mask = parse_plen_mask(self.name, given.option.name, given.value)
        return 32 - (~mask & 0xFFFFFFFF).bit_length()

    read_dst_prefix = read_src_prefix

    def read_sport_mask(self, given):
        return parse_number(self.name, given.option.name, given.value, 0, 0xFFFF)

    read_dport_mask = read_sport = read_dport = read_proto_mask = read_sport_mask

    def read_spi_mask(self, given):
        return parse_number(self.name, given.option.name, given.value)

    read_spi = read_rnd = read_offset = read_spi_mask

    def read_mod(self, given):
        return parse_number(self.name, given.option.name, given.value, 1)

    def finish(self):
        fields = {"src-prefix": 0, "dst-prefix": 0, "proto-mask": 0, "rnd": 0, "mod": 0, "offset": 0}
        port_mask, port_set, given = bytearray(4), bytearray(4), set()
        for key in self.given:  # in argv order: later values overwrite, as in the kernel's struct
            value = self.values[key].value
            if key == "tuple":
                for name in value:
                    self.tuple_type(name, fields, port_mask, given)
                continue
            given.add(key)
            if key in ("sport-mask", "dport-mask", "sport", "dport"):
                target = port_mask if key.endswith("mask") else port_set
                at = 0 if key.startswith("s") else 2
                target[at:at + 2] = value.to_bytes(2, "big")
            elif key in ("spi-mask", "spi"):
                (port_mask if key == "spi-mask" else port_set)[0:4] = value.to_bytes(4, "big")
            else:
                fields[key] = value
        if "mod" not in self.given:
            raise problem("--hmark-mod is mandatory")
        if "rnd" not in self.given:
            raise problem("--hmark-rnd is mandatory")
        if "spi-mask" in given and {"sport-mask", "dport-mask"} & given:
            raise problem("you cannot use --hmark-spi-mask and --hmark-?port-mask,at the same time")
        if not given & set(MASKS) and "ct" not in given:
            raise problem("you have to specify --hmark-tuple at least")
        return Hmark(frozenset(given), fields["src-prefix"], fields["dst-prefix"], bytes(port_mask), bytes(port_set),
                     fields["proto-mask"], fields["rnd"], fields["mod"], fields["offset"])

    @staticmethod
    def tuple_type(name: str, fields: dict, port_mask: bytearray, given: set) -> None:
        """A --hmark-tuple type: its mask all ones, and the field counted as given."""
        key = {"ct": "ct", "src": "src-prefix", "dst": "dst-prefix", "sport": "sport-mask", "dport": "dport-mask",
               "proto": "proto-mask", "spi": "spi-mask"}[name]
        given.add(key)
        if key in ("src-prefix", "dst-prefix"):
            fields[key] = 32
        elif key == "proto-mask":
            fields[key] = 0xFFFF  # a __u16
        elif key == "sport-mask":
            port_mask[0:2] = b"\xff\xff"
        elif key == "dport-mask":
            port_mask[2:4] = b"\xff\xff"
        elif key == "spi-mask":
            port_mask[0:4] = b"\xff\xff\xff\xff"


def target_words(target: Hmark) -> list:
    """HMARK_ip4_save()."""
    given, words = target.given, []
    for key, value in (("src-prefix", target.src_prefix), ("dst-prefix", target.dst_prefix)):
        if key in given:
            words += [f"--hmark-{key}", str(value)]
    for key, data, start, width in (("sport-mask", target.port_mask, 0, 2), ("dport-mask", target.port_mask, 2, 2),
                                    ("spi-mask", target.port_mask, 0, 4), ("sport", target.port_set, 0, 2),
                                    ("dport", target.port_set, 2, 2), ("spi", target.port_set, 0, 4)):
        if key in given:
            words += [f"--hmark-{key}", f"0x{int.from_bytes(data[start:start + width], 'big'):0{width * 2}x}"]
    if "proto-mask" in given:
        words += ["--hmark-proto-mask", f"0x{target.proto_mask:02x}"]
    if "rnd" in given:
        words += ["--hmark-rnd", f"0x{target.rnd:08x}"]
    words += ["--hmark-mod", str(target.mod)] if "mod" in given else []
    words += ["--hmark-offset", str(target.offset)] if "offset" in given else []
    return words + (["--hmark-tuple", "ct"] if "ct" in given else [])


def target_nft(target: Hmark, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("HMARK (nft's jhash hashes what it is given, not HMARK's masked and sorted tuple)")


SAVE = {Hmark: target_words}
NFT = {Hmark: target_nft}
TARGET = Target


# lint: the mark is a hash of the packet, any value of the range: the rule that asks which marks
# a ruleset can give a packet takes it as unknown (pyip.lint.rules.pi023_fwmark_never_set).
MARK_EFFECTS = {Hmark: None}
