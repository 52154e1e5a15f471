"""Answer or abstain (issues 12 and 19): the figures before each issue and the targets it set,
shared by the measuring (``benchmarks/answerability.py``) and the rendering
(``benchmarks/answerability_readme.py``)."""

# Measured on the rule-based answerer before issue 12 (benchmarks/README.md of that commit).
BEFORE = {
    "natural_fact": (48, 125),
    "natural_abstain": (38, 52),
    "natural_abstained_answerable": (62, 125),
    "conversation_lost": {"dev": (5, 91), "natural": (7, 166), "total": 12},
    "dev_passed": (91, 100),
    "dev_forbid": (13, 13),
    "dev_verbatim": 1.0,
    "squad_hit": (197, 293),
    "squad_abstain_impossible": (69, 333),
    "squad_abstain_answerable": (67, 293),
    "warm_p95_ms": 9.6,
}
TARGETS = {
    "natural_fact": (">=", 0.90),
    "natural_abstain": (">=", 0.95),
    "conversation_lost": ("<=", 0),
    "dev_passed": (">=", 97),
    "dev_forbid": (">=", 1.0),
    "dev_verbatim": (">=", 1.0),
    "squad_hit": (">=", 0.80),
    "squad_abstain_impossible": (">=", 0.60),
    "squad_abstain_answerable": ("<=", 0.10),
    "warm_p95_ms": ("<=", 60.0),
}

# Issue 19 (the reader): its "now" column, the logistic answerability model of issue 12 as measured
# at a26b8cf (benchmarks/answerability.json of aaf235c), and the targets it set.
BEFORE19 = {
    "dev_passed": (63, 100),
    "dev_forbid": (13, 13),
    "dev_verbatim": (96, 96),
    "natural_fact": (27, 125),
    "natural_abstain": (45, 52),
    "natural_auc": 0.74,
    "squad_hit": (165, 293),
    "squad_abstain_impossible": (121, 333),
    "squad_abstain_answerable": (96, 293),
    "conversation_lost": 0,
    "warm_p95_ms": 10.9,
}
TARGETS19 = {
    "dev_passed": (">=", 92),
    "dev_forbid": (">=", 1.0),
    "dev_verbatim": (">=", 1.0),
    "natural_fact": (">=", 0.60),
    "natural_abstain": (">=", 0.85),
    "natural_auc": (">=", 0.85),
    "squad_hit": (">=", 0.80),
    "squad_abstain_impossible": (">=", 0.55),
    "squad_abstain_answerable": ("<=", 0.15),
    "conversation_lost": ("<=", 0),
    "warm_p95_ms": ("<=", 120.0),
}
