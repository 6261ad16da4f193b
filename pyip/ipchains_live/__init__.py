"""ipchains on today's kernel: the 2.2 chains run by nftables, in table `ip ipchains`.

`ipchains ...` (pyip.ipchains_live.command) reads the table
(pyip.ipchains_live.state), applies the command to pyip's ipchains model
(pyip.ruleset_ipchains) and writes the difference back as one nft
transaction (pyip.ipchains_live.transaction); `-L` prints the chains as
ipchains did (pyip.ipchains_live.listing).
"""
