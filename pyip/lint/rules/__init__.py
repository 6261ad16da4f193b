"""The rule catalog: one module per rule, named by its code and name (like ruff).

Importing this package registers every rule in pyip.lint.model.RULES.
"""

from . import (  # noqa: F401  (imported for their @register)
    pi000_syntax_error,
    pi001_missing_command,
    pi002_unicode_dash,
    pi003_intrapositioned_negation,
    pi004_chain_case,
    pi005_wrong_tool_syntax,
    pi006_fwmark_base,
    pi007_removed_feature,
    pi008_unknown_name,
    pi009_gateway_is_local,
    pi010_unused_table,
    pi011_delete_missing,
    pi012_unknown_service,
    pi013_option_order,
    pi014_wrong_table_or_chain,
    pi015_unset_variable,
    pi016_shadowed_rule,
    pi017_ipchains_short_address,
    pi018_duplicate_rule,
    pi019_host_bits,
    pi020_mark_arithmetic,
    pi021_crlf_line_endings,
    pi022_no_nft_equivalent,
    pi023_fwmark_never_set,
)
