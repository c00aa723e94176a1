"""Codes the handbook gives a fixed meaning."""

STATE_AGENCY = "1900.0"  # receives Non-ICASS dual positions (H-341.14-4)
ICASS_AGENCY = "1901.0"  # ICASS's own workload, later spread by ICASS redistribution
NON_ICASS = "0000"  # Non-ICASS dual positions (H-341.14)
MISCELLANEOUS = "8790"  # Miscellaneous costs, shared by each agency's share of service costs (H-341.13-4)
BASIC_PACKAGE = "6150"
MEDEVAC_AGENCY = "9913.0"  # Regional MEDEVAC: its invoice is billed below the line worldwide (H-341.3-4 e)
# The local guard program's cost centers (H-341.5 a): funded by LGP (H-422.3), left out of a partial-year
# invoice (H-341.5-3(D) NOTE 1), each with its own rules of counting.
LOCAL_GUARD_PROGRAM = frozenset({"5821", "5822", "5823", "5826"})
